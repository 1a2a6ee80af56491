// The relay machine fed recorded conversations (golden MariaDB captures and packets built to the
// protocol), whole, split at every byte of every step, and one byte at a time: what reaches each
// side must not depend on how the bytes arrived, and must be what the protocol says.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/auth.h"
#include "protocol/capabilities.h"
#include "protocol/command.h"
#include "protocol/handshake.h"
#include "protocol/packet.h"
#include "protocol/packets.h"
#include "proxy/answer.h"
#include "proxy/auth.h"
#include "proxy/relay_machine.h"
#include "tests/protocol/golden_mariadb.h"
#include "tests/protocol/golden_mariadb_live.h"

namespace shadowproxy::proxy {
namespace {

namespace p = protocol;
namespace g = protocol::golden;

constexpr uint32_t kBaseCaps =
    p::CLIENT_LONG_PASSWORD | p::CLIENT_LONG_FLAG | p::CLIENT_CONNECT_WITH_DB |
    p::CLIENT_LOCAL_FILES | p::CLIENT_PROTOCOL_41 | p::CLIENT_TRANSACTIONS |
    p::CLIENT_SECURE_CONNECTION | p::CLIENT_MULTI_STATEMENTS | p::CLIENT_MULTI_RESULTS |
    p::CLIENT_PS_MULTI_RESULTS | p::CLIENT_PLUGIN_AUTH;
constexpr uint32_t kEofCaps = kBaseCaps | p::CLIENT_DEPRECATE_EOF;

class StringWindow : public ByteWindow {
 public:
  explicit StringWindow(const std::string& s) : s_(s) {}
  size_t size() const override { return s_.size(); }
  size_t Peek(size_t offset, uint8_t* out, size_t n) const override {
    if (offset >= s_.size()) return 0;
    n = std::min(n, s_.size() - offset);
    std::memcpy(out, s_.data() + offset, n);
    return n;
  }

 private:
  const std::string& s_;
};

std::string Packet(uint8_t seq, std::string_view payload) {
  std::string out;
  p::AppendPacket(&out, seq, payload);
  return out;
}
std::string OkPayload() { return p::EncodeOk(0, 0, 2, 0, "", false); }
std::string Query(std::string_view sql) {
  return Packet(0, std::string(1, '\x03') + std::string(sql));
}

// One step of a conversation.
struct Step {
  enum Kind { kClient, kBackend, kBackendCloses, kClientCloses, kAnswer } kind;
  std::string bytes;
  plugins::Answer answer = plugins::OkAnswer{};
};
Step C(std::string b) { return {Step::kClient, std::move(b)}; }
Step B(std::string_view b) { return {Step::kBackend, std::string(b)}; }
Step Answer(plugins::Answer a) { return {Step::kAnswer, "", std::move(a)}; }
Step BackendCloses() { return {Step::kBackendCloses, ""}; }
Step ClientCloses() { return {Step::kClientCloses, ""}; }

// What the adapter would have done.
struct Outcome {
  std::string to_backend, to_client;
  std::vector<std::string> statements;  // kRunStatement, in order
  std::vector<uint8_t> commands_done;
  std::optional<std::string> closed;  // the reason
  bool close_warn = false;
  int awaited_routes = 0;
  bool operator==(const Outcome& o) const {
    return to_backend == o.to_backend && to_client == o.to_client && statements == o.statements &&
           commands_done == o.commands_done && closed == o.closed;
  }
};

ConfigPtr TestConfig() {
  auto cfg = std::make_shared<Config>();
  ClusterConfig c;
  c.name = "local";
  c.servers.push_back({"127.0.0.1", 3306});
  cfg->clusters.push_back(c);
  UserConfig app;
  app.name = "app";
  app.password = "app-secret";
  app.has_password = true;
  app.cluster = "local";
  app.backend_user = "svc";
  app.backend_password = "svc-secret";
  cfg->users.push_back(app);
  return cfg;
}

constexpr char kScramble[] = "0123456789abcdefghij";
constexpr char kBackendScramble[] = "ABCDEFGHIJ0123456789";

class Driver {
 public:
  explicit Driver(uint32_t caps, ConfigPtr config = TestConfig(),
                  const plugins::StatementPlugin* plugin = nullptr,
                  sql::Dialect dialect = sql::Dialect(), uint16_t status_flags = 2,
                  plugins::DdlFollower* follower = nullptr, plugins::ShadowRouter* router = nullptr,
                  bool shadow = false, bool statement_marks = false)
      : config_(std::move(config)) {
    RelaySession s;
    s.follower = follower;
    s.router = router;
    s.shadow = shadow;
    s.statement_marks = statement_marks;
    s.dialect = dialect;
    s.status_flags = status_flags;
    s.plugin = plugin;
    s.config = config_;
    s.cluster = &config_->clusters.front();
    s.user = "root";
    s.client_caps = caps;
    s.connection_id = 7;
    std::copy_n(kScramble, 20, s.scramble.begin());
    std::copy_n(kBackendScramble, 20, s.backend_scramble.begin());
    m_.Start(std::move(s));
  }

  void Client(std::string_view bytes) {
    cin_ += bytes;
    m_.OnClientBytes(StringWindow(cin_), ++now_, &acts_);
    Apply();
  }
  void Backend(std::string_view bytes) {
    bin_ += bytes;
    m_.OnBackendBytes(StringWindow(bin_), ++now_, &acts_);
    Apply();
    if (!cin_.empty()) Client("");  // what the adapter does: held commands may go now
  }
  void BackendCloses() {
    m_.OnBackendClosed(StringWindow(bin_), "connection closed by the server", &acts_);
    Apply();
  }
  void ClientCloses() {
    m_.OnClientClosed(StringWindow(cin_), false, &acts_);
    Apply();
  }
  void Answer(const plugins::Answer& a) {
    m_.OnAnswer(a, ++now_, &acts_);
    Apply();
    Client("");
  }
  void Routed(const plugins::Routed& r) {
    m_.OnRouted(r, ++now_, &acts_);
    Apply();
    Client("");
  }
  const Outcome& out() const { return out_; }
  RelayMachine& machine() { return m_; }

 private:
  void Apply() {
    for (RelayAction& a : acts_) {
      std::string& in = a.side == Side::kClient ? cin_ : bin_;
      switch (a.kind) {
        case RelayAction::Kind::kForward:
          ASSERT_LE(a.n, in.size());
          (a.side == Side::kClient ? out_.to_backend : out_.to_client) += in.substr(0, a.n);
          in.erase(0, a.n);
          break;
        case RelayAction::Kind::kDiscard:
          ASSERT_LE(a.n, in.size());
          in.erase(0, a.n);
          break;
        case RelayAction::Kind::kSend:
          (a.side == Side::kClient ? out_.to_client : out_.to_backend) += a.bytes;
          break;
        case RelayAction::Kind::kRunStatement:
          out_.statements.push_back(a.bytes);
          break;
        case RelayAction::Kind::kCommandDone:
          out_.commands_done.push_back(a.command);
          break;
        case RelayAction::Kind::kAwaitRoute:
          ++out_.awaited_routes;
          break;
        case RelayAction::Kind::kClose:
          ASSERT_FALSE(out_.closed) << "closed twice";
          out_.closed = a.bytes;
          out_.close_warn = a.warn;
          break;
      }
    }
    acts_.clear();
  }

  ConfigPtr config_;
  std::string scratch_;
  RelayMachine m_{&scratch_};
  RelayMachine::Actions acts_;
  std::string cin_, bin_;
  int64_t now_ = 0;
  Outcome out_;
};

// Feeds `steps`; step `split_step` is given in two pieces at `split_at` (or byte by byte when
// split_at is npos and bytewise is set).
Outcome Feed(uint32_t caps, const std::vector<Step>& steps, size_t split_step = SIZE_MAX,
             size_t split_at = 0, bool bytewise = false) {
  Driver d(caps);
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    auto feed = [&](std::string_view b) {
      if (s.kind == Step::kClient)
        d.Client(b);
      else
        d.Backend(b);
    };
    switch (s.kind) {
      case Step::kClient:
      case Step::kBackend:
        if (bytewise) {
          for (char c : s.bytes) feed(std::string_view(&c, 1));
        } else if (i == split_step) {
          feed(std::string_view(s.bytes).substr(0, split_at));
          feed(std::string_view(s.bytes).substr(split_at));
        } else {
          feed(s.bytes);
        }
        break;
      case Step::kBackendCloses:
        d.BackendCloses();
        break;
      case Step::kClientCloses:
        d.ClientCloses();
        break;
      case Step::kAnswer:
        d.Answer(s.answer);
        break;
    }
  }
  return d.out();
}

// The outcome of feeding steps whole, after checking every split gives the same one.
Outcome RunEverySplit(uint32_t caps, const std::vector<Step>& steps) {
  Outcome whole = Feed(caps, steps);
  EXPECT_TRUE(Feed(caps, steps, SIZE_MAX, 0, true) == whole) << "fed byte by byte";
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].kind != Step::kClient && steps[i].kind != Step::kBackend) continue;
    for (size_t at = 1; at < steps[i].bytes.size(); ++at) {
      Outcome o = Feed(caps, steps, i, at);
      if (!(o == whole)) {
        ADD_FAILURE() << "step " << i << " split at byte " << at;
        return whole;
      }
    }
  }
  return whole;
}

std::string Concat(const std::vector<Step>& steps, Step::Kind kind) {
  std::string out;
  for (const Step& s : steps)
    if (s.kind == kind) out += s.bytes;
  return out;
}

// A conversation the proxy relays untouched: both sides get exactly what the other sent.
void ExpectTransparent(uint32_t caps, const std::vector<Step>& steps, size_t commands) {
  Outcome o = RunEverySplit(caps, steps);
  EXPECT_EQ(o.to_backend, Concat(steps, Step::kClient));
  EXPECT_EQ(o.to_client, Concat(steps, Step::kBackend));
  EXPECT_EQ(o.commands_done.size(), commands);
  EXPECT_FALSE(o.closed) << *o.closed;
}

TEST(RelayMachine, QueriesSingleMultiStatementAndMultiResult) {
  ExpectTransparent(
      kBaseCaps,
      {C(Query("SELECT 1 AS a, NULL AS b, 'abc' AS c")), B(g::kClassicQuerySelect),
       C(Query("SELECT 1; SELECT 2 AS x UNION SELECT 3; DO 1")), B(g::kClassicQueryMulti),
       C(Query("SELECT * FROM nosuch_table")), B(g::kClassicQueryErr)},
      3);
  ExpectTransparent(
      kEofCaps,
      {C(Query("SELECT 1 AS a, NULL AS b, 'abc' AS c")), B(g::kDeprecateEofQuerySelect),
       C(Query("SELECT 1; SELECT 2 AS x UNION SELECT 3; DO 1")), B(g::kDeprecateEofQueryMulti)},
      2);
  for (const auto& live : g::kLiveResponses) {
    SCOPED_TRACE(live.what);
    // (The client's file goes between its packets: LocalInfileAfterQuery feeds it that way.)
    if (std::string_view(live.what).starts_with("LOAD DATA")) continue;
    std::string cmd = Packet(0, std::string(1, static_cast<char>(live.command)) + "x");
    ExpectTransparent(live.deprecate_eof ? kEofCaps : kBaseCaps,
                      {C(cmd), B(live.bytes), C(Query("DO 1")), B(Packet(1, OkPayload()))}, 2);
  }
}

TEST(RelayMachine, SimpleCommands) {
  ExpectTransparent(kBaseCaps,
                    {C(Packet(0, "\x0e")), B(g::kClassicPing), C(Packet(0, "\x09")),
                     B(g::kClassicStatistics), C(Packet(0, std::string("\x04user\0", 6))),
                     B(g::kClassicFieldList), C(Packet(0, std::string("\x1b\x00\x00", 3))),
                     B(g::kClassicSetOption), C(Packet(0, "\x02mysql")), B(g::kClassicInitDb),
                     C(Packet(0, "\x1f")), B(g::kClassicResetConnection)},
                    6);
  Driver d(kBaseCaps);
  d.Client(Packet(0, "\x02mysql"));
  d.Backend(g::kClassicInitDb);
  EXPECT_EQ(d.machine().session().database, "mysql");  // COM_INIT_DB that succeeded
}

TEST(RelayMachine, LocalInfileAfterQuery) {
  for (bool eof : {false, true}) {
    ExpectTransparent(eof ? kEofCaps : kBaseCaps,
                      {C(Query("LOAD DATA LOCAL INFILE 'data.csv' INTO TABLE cap.t")),
                       B(eof ? g::kDeprecateEofQueryInfile : g::kClassicQueryInfile),
                       C(Packet(2, "1,a\n2,b\n") + Packet(3, "")),
                       B(eof ? g::kDeprecateEofQueryInfileAfter : g::kClassicQueryInfileAfter),
                       C(Query("SELECT 1 AS a, NULL AS b, 'abc' AS c")),
                       B(eof ? g::kDeprecateEofQuerySelect : g::kClassicQuerySelect)},
                      2);
  }
}

TEST(RelayMachine, LocalInfileAfterStmtExecute) {
  // MariaDB prepares LOAD DATA LOCAL INFILE; COM_STMT_EXECUTE is answered with the request.
  std::string prepare_ok =
      Packet(1, std::string("\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12));
  std::string execute = Packet(0, std::string("\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00", 10));
  std::string data;
  data += Packet(2, std::string(100, 'x') + "\n");
  data += Packet(3, "last\n");
  data += Packet(4, "");
  ExpectTransparent(
      kBaseCaps,
      {C(Packet(0, "\x16LOAD DATA LOCAL INFILE '/tmp/f' INTO TABLE t")), B(prepare_ok), C(execute),
       B(Packet(1, "\xfb/tmp/f")), C(data), B(Packet(5, p::EncodeOk(2, 0, 2, 0, "", false))),
       C(Query("DO 1")), B(Packet(1, OkPayload()))},
      3);
}

TEST(RelayMachine, PreparedStatementsWithCursor) {
  for (bool eof : {false, true}) {
    std::string execute_cursor =
        Packet(0, std::string("\x17\x01\x00\x00\x00\x01\x01\x00\x00\x00", 10));
    ExpectTransparent(
        eof ? kEofCaps : kBaseCaps,
        {C(Packet(0, "\x16SELECT 1 AS one UNION SELECT 2")),
         B(eof ? g::kDeprecateEofPrepareSimple : g::kClassicPrepareSimple),
         C(Packet(0, std::string("\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00", 10))),
         B(eof ? g::kDeprecateEofExecute : g::kClassicExecute), C(execute_cursor),
         B(eof ? g::kDeprecateEofExecuteCursor : g::kClassicExecuteCursor),
         C(Packet(0, std::string("\x1c\x01\x00\x00\x00\x01\x00\x00\x00", 9))),
         B(eof ? g::kDeprecateEofFetch1 : g::kClassicFetch1),
         C(Packet(0, std::string("\x1c\x01\x00\x00\x00\x05\x00\x00\x00", 9))),
         B(eof ? g::kDeprecateEofFetch2 : g::kClassicFetch2),
         C(Packet(0, std::string("\x19\x01\x00\x00\x00", 5)))},  // COM_STMT_CLOSE: no answer
        6);
  }
}

TEST(RelayMachine, PipelinedCommands) {
  std::string queries = Query("SELECT 1 AS a, NULL AS b, 'abc' AS c") + Packet(0, "\x0e") +
                        Query("SELECT * FROM nosuch_table");
  std::string answers = std::string(g::kClassicQuerySelect) + std::string(g::kClassicPing) +
                        std::string(g::kClassicQueryErr);
  ExpectTransparent(kBaseCaps, {C(queries), B(answers)}, 3);
}

TEST(RelayMachine, SixteenMebibytePacketsBothWays) {
  // A 16 MiB + 10 query and a result set whose one row is 16 MiB + 5 bytes.
  std::string big_query = Query("SELECT '" + std::string(p::kMaxPayload + 10, 'q') + "'");
  std::string row(p::kMaxPayload + 5, 'r');
  row[0] = '\xfc';  // a lenenc string header (the relay never decodes it)
  std::string response;
  uint8_t seq = 1;
  seq = p::AppendPacket(&response, seq, "\x01");
  static constexpr char kColumn[] =  // catalog def, db/table/org "", name a, LONGTEXT
      "\x03"
      "def\x00\x00\x00\x01"
      "a\x00\x0c\x21\x00\xff\xff\xff\xff\xfc\x00\x00\x00\x00\x00";
  seq = p::AppendPacket(&response, seq, std::string(kColumn, sizeof(kColumn) - 1));
  seq = p::AppendPacket(&response, seq, std::string("\xfe\x00\x00\x02\x00", 5));
  seq = p::AppendPacket(&response, seq, row);
  p::AppendPacket(&response, seq, std::string("\xfe\x00\x00\x02\x00", 5));
  // Too big to split at every byte: whole, in 64 KiB pieces and at the packet edges.
  std::vector<Step> steps = {C(big_query), B(response), C(Query("DO 1")),
                             B(Packet(1, OkPayload()))};
  Outcome whole = Feed(kBaseCaps, steps);
  EXPECT_EQ(whole.to_backend, Concat(steps, Step::kClient));
  EXPECT_EQ(whole.to_client, Concat(steps, Step::kBackend));
  EXPECT_EQ(whole.commands_done.size(), 2u);
  for (size_t at : {size_t{3}, size_t{4}, size_t{5}, size_t{p::kMaxPayload + 3},
                    size_t{p::kMaxPayload + 4}, size_t{p::kMaxPayload + 8}}) {
    EXPECT_TRUE(Feed(kBaseCaps, steps, 0, at) == whole) << "query split at " << at;
    EXPECT_TRUE(Feed(kBaseCaps, steps, 1, std::min(at + 40, response.size() - 1)) == whole)
        << "response split at " << at + 40;
  }
  Driver d(kBaseCaps);
  for (size_t i = 0; i < big_query.size(); i += 65536) d.Client(big_query.substr(i, 65536));
  for (size_t i = 0; i < response.size(); i += 65536) d.Backend(response.substr(i, 65536));
  EXPECT_EQ(d.out().to_client, response);
  EXPECT_EQ(d.machine().outstanding(), 0u);
}

TEST(RelayMachine, ChangeUserPassThroughRelaysTheAuthExchange) {
  p::ChangeUser cu;
  cu.username = "someone";  // not configured: the backend authenticates
  cu.auth_response = std::string(20, 'z');
  cu.database = "shop";
  cu.auth_plugin_name = "mysql_native_password";
  std::string change = Packet(0, p::EncodeChangeUser(cu, kBaseCaps));
  std::string sw = Packet(1, p::EncodeAuthSwitchRequest(
                                 {"mysql_native_password", std::string(kBackendScramble) + '\0'}));
  std::string reply = Packet(2, std::string(20, 'y'));
  std::string ok = Packet(3, OkPayload());
  std::vector<Step> steps = {
      C(change), B(sw), C(reply), B(ok), C(Query("DO 1")), B(Packet(1, OkPayload()))};
  ExpectTransparent(kBaseCaps, steps, 2);
  Driver d(kBaseCaps);
  d.Client(change);
  d.Backend(sw);
  d.Client(reply);
  d.Backend(ok);
  EXPECT_EQ(d.machine().session().user, "someone");
  EXPECT_EQ(d.machine().session().database, "shop");
}

TEST(RelayMachine, ChangeUserOfAConfiguredUserIsVerifiedAndRewritten) {
  p::ChangeUser cu;
  cu.username = "app";
  cu.auth_response = p::NativeScramble("app-secret", std::string_view(kScramble, 20));
  cu.auth_plugin_name = "mysql_native_password";
  std::string change = Packet(0, p::EncodeChangeUser(cu, kBaseCaps));
  std::string new_scramble = "zyxwvutsrqponmlkjihg";
  std::string sw =
      Packet(1, p::EncodeAuthSwitchRequest({"mysql_native_password", new_scramble + '\0'}));
  std::string ok = Packet(3, OkPayload());
  Outcome o = RunEverySplit(kBaseCaps, {C(change), B(sw), B(ok)});
  // The backend got the backend credentials, then the proxy's answer to its auth switch.
  p::ChangeUser mine = cu;
  mine.username = "svc";
  mine.auth_response = p::NativeScramble("svc-secret", std::string_view(kBackendScramble, 20));
  EXPECT_EQ(o.to_backend, Packet(0, p::EncodeChangeUser(mine, kBaseCaps)) +
                              Packet(2, p::NativeScramble("svc-secret", new_scramble)));
  EXPECT_EQ(o.to_client, ok);  // the switch never reaches the client
  EXPECT_FALSE(o.closed);

  // A wrong password never reaches the backend: ERR 1045 from the proxy.
  cu.auth_response = p::NativeScramble("wrong", std::string_view(kScramble, 20));
  o = RunEverySplit(kBaseCaps, {C(Packet(0, p::EncodeChangeUser(cu, kBaseCaps)))});
  EXPECT_EQ(o.to_backend, "");
  ASSERT_GT(o.to_client.size(), 5u);
  auto err = p::DecodeErr(p::AsBytes(std::string_view(o.to_client).substr(4)));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, 1045);
  EXPECT_EQ(o.to_client[3], 1);  // seq 1: the answer to the client's command
}

TEST(RelayMachine, ComQuitIsPassedOnThenTheSessionCloses) {
  Outcome o =
      RunEverySplit(kBaseCaps, {C(Query("DO 1")), B(Packet(1, OkPayload())), C(Packet(0, "\x01"))});
  EXPECT_EQ(o.to_backend, Query("DO 1") + Packet(0, "\x01"));
  ASSERT_TRUE(o.closed);
  EXPECT_EQ(*o.closed, "client quit");
}

// The first `n` packets of a captured response.
std::string FirstPackets(std::string_view bytes, size_t n, uint8_t* last_seq) {
  size_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    auto h = p::DecodeHeader(reinterpret_cast<const uint8_t*>(bytes.data() + at));
    *last_seq = h.seq;
    at += p::kHeaderSize + h.length;
  }
  return std::string(bytes.substr(0, at));
}

TEST(RelayMachine, ServerErrThenCloseInTheMiddleOfAResultSet) {
  // Column count, 3 definitions, EOF, then ERR 1927 (connection killed) and the close.
  uint8_t seq = 0;
  std::string start = FirstPackets(g::kClassicQuerySelect, 5, &seq);
  std::string err =
      Packet(static_cast<uint8_t>(seq + 1), p::EncodeErr(1927, "70100", "Connection was killed"));
  Outcome o = RunEverySplit(kBaseCaps, {C(Query("SELECT 1 AS a, NULL AS b, 'abc' AS c")),
                                        B(start + err), BackendCloses()});
  EXPECT_EQ(o.to_client, start + err);  // exactly what the server sent: nothing added
  ASSERT_TRUE(o.closed);
}

// No ERR is ever made up for a lost backend: 2013 is a client-side code, which Connector/C
// 3.3.9+ reads as a malformed packet (2027) when it comes from the server. The client sees the
// close and reports 2013 itself, as it would without the proxy.
TEST(RelayMachine, ServerClosesWithoutErrBetweenPackets) {
  uint8_t seq = 0;
  std::string start = FirstPackets(g::kClassicQuerySelect, 6, &seq);
  Outcome o = RunEverySplit(
      kBaseCaps, {C(Query("SELECT 1 AS a, NULL AS b, 'abc' AS c")), B(start), BackendCloses()});
  EXPECT_EQ(o.to_client, start);
  ASSERT_TRUE(o.closed);
  EXPECT_TRUE(o.close_warn);
}

TEST(RelayMachine, ServerClosesBeforeAnsweringOrInAPacket) {
  // No answer, or three bytes of a header: nothing reaches the client but the close.
  for (std::string partial : {std::string(), std::string("\x05\x00\x00", 3)}) {
    Outcome o = RunEverySplit(kBaseCaps, {C(Query("DO SLEEP(10)")), B(partial), BackendCloses()});
    EXPECT_EQ(o.to_client, "");
    EXPECT_TRUE(o.closed);
  }
  // A packet cut in its middle stays cut: never completed, never followed by anything.
  std::string row = Packet(6, std::string(200, 'x'));
  uint8_t seq = 0;
  std::string start = FirstPackets(g::kClassicQuerySelect, 5, &seq);
  Outcome o = RunEverySplit(kBaseCaps, {C(Query("SELECT 1 AS a, NULL AS b, 'abc' AS c")),
                                        B(start + row.substr(0, 100)), BackendCloses()});
  EXPECT_EQ(o.to_client, start + row.substr(0, 100));
  // Idle: nothing is owed, nothing is sent.
  Outcome idle = RunEverySplit(kBaseCaps, {BackendCloses()});
  EXPECT_EQ(idle.to_client, "");
  EXPECT_TRUE(idle.closed);
}

TEST(RelayMachine, UnexpectedBackendPacketIsNotForwarded) {
  // A prepare OK too short to hold the statement id: what came before, then the close.
  Outcome o = RunEverySplit(
      kBaseCaps, {C(Packet(0, "\x16SELECT 1")), B(Packet(1, std::string("\x00\x01", 2)))});
  EXPECT_EQ(o.to_client, "");
  ASSERT_TRUE(o.closed);
  EXPECT_TRUE(o.close_warn);
}

TEST(RelayMachine, ShadowSyncBetweenRelayedStatements) {
  plugins::ResultSetAnswer db;
  db.columns = {"DATABASE()"};
  db.rows = {{std::string("shop")}};
  std::string probe_answer;
  EncodeAnswer(db, kBaseCaps, 2, &probe_answer);
  std::string q1 = Query("SELECT 1 AS a, NULL AS b, 'abc' AS c");
  std::string shadow = Query("  SHADOW SYNC SHOW TASKS");
  std::string q3 = Query("SELECT * FROM nosuch_table");
  plugins::OkAnswer ok{5, 0, 0, ""};
  Outcome o = RunEverySplit(kBaseCaps, {C(q1 + shadow + q3), B(g::kClassicQuerySelect),
                                        B(probe_answer), Answer(ok), B(g::kClassicQueryErr)});
  // The backend gets q1, the proxy's SELECT DATABASE(), then q3 once the statement is answered;
  // never the SHADOW SYNC statement.
  EXPECT_EQ(o.to_backend, q1 + Packet(0, p::EncodeQuery("SELECT DATABASE() LIMIT 1", false)) + q3);
  ASSERT_EQ(o.statements.size(), 1u);
  EXPECT_EQ(o.statements[0], "  SHADOW SYNC SHOW TASKS");
  std::string ok_packets;
  EncodeAnswer(ok, kBaseCaps, 2, &ok_packets);
  EXPECT_EQ(o.to_client,
            std::string(g::kClassicQuerySelect) + ok_packets + std::string(g::kClassicQueryErr));
  EXPECT_FALSE(o.closed);

  Driver d(kBaseCaps);
  d.Client(shadow);
  d.Backend(probe_answer);
  EXPECT_EQ(d.machine().Context().database, "shop");  // asked of the backend
  EXPECT_EQ(d.machine().phase(), RelayMachine::Phase::kLocalAnswer);
}

// Says a statement needs the current database when it mentions ANALYZE; answers nothing.
class DatabaseNeeds : public plugins::StatementPlugin {
 public:
  plugins::Answer Handle(const plugins::SessionContext&, std::string_view) override {
    return Status::Ok();
  }
  bool NeedsDatabase(std::string_view query, const sql::Dialect&) const override {
    return query.find("ANALYZE") != std::string_view::npos;
  }
  void Submit(plugins::SessionContext, std::string, std::function<void(plugins::Answer)>) override {
  }
  void Reload(ConfigPtr) override {}
  void BeginShutdown() override {}
  void Stop(std::chrono::steady_clock::time_point) override {}
};

TEST(RelayMachine, OnlyStatementsThatUseTheCurrentDatabaseAskTheBackendForIt) {
  DatabaseNeeds plugin;
  Driver d(kBaseCaps, TestConfig(), &plugin);
  d.Client(Query("SHADOW SYNC SHOW TASKS"));
  EXPECT_EQ(d.out().to_backend, "");  // no SELECT DATABASE()
  ASSERT_EQ(d.out().statements, (std::vector<std::string>{"SHADOW SYNC SHOW TASKS"}));
  d.Answer(plugins::OkAnswer{0, 0, 0, ""});
  d.Client(Query("SHADOW SYNC ANALYZE ALL TABLES"));
  EXPECT_EQ(d.out().to_backend, Packet(0, p::EncodeQuery("SELECT DATABASE() LIMIT 1", false)));
  EXPECT_EQ(d.out().statements.size(), 1u);  // not before the backend has answered
}

// What is intercepted depends on how the backend reads version comments (its greeting's
// version): MariaDB skips a MySQL-only /*!50700 */, MySQL runs it.
TEST(RelayMachine, InterceptionReadsAsTheBackendDoes) {
  DatabaseNeeds plugin;
  const std::string text = "/*!50700 SELECT 1; */ SHADOW SYNC HELP";
  Driver maria(kBaseCaps, TestConfig(), &plugin,
               sql::Dialect::FromServerVersion("5.5.5-10.11.6-MariaDB"));
  maria.Client(Query(text));
  EXPECT_EQ(maria.out().statements, std::vector<std::string>{text});
  EXPECT_EQ(maria.out().to_backend, "");
  Driver mysql(kBaseCaps, TestConfig(), &plugin, sql::Dialect::FromServerVersion("8.0.36"));
  mysql.Client(Query(text));
  EXPECT_TRUE(mysql.out().statements.empty());
  EXPECT_EQ(mysql.out().to_backend, Query(text));
  // A SYNC at the very end of the first 64 bytes may go on: the relay looks further.
  const std::string long_sync = "SHADOW SYNC" + std::string(60, ' ') + "HELP";
  Driver d(kBaseCaps, TestConfig(), &plugin);
  d.Client(Query(long_sync));
  EXPECT_EQ(d.out().statements.size(), 1u);
  Driver e(kBaseCaps, TestConfig(), &plugin);
  const std::string syncx = std::string(52, ' ') + "SHADOW SYNCX";  // SYNC ends at byte 64
  e.Client(Query(syncx));
  EXPECT_TRUE(e.out().statements.empty());
  EXPECT_EQ(e.out().to_backend, Query(syncx));
}

// The session's NO_BACKSLASH_ESCAPES follows the backend's status flags (from the greeting,
// then every response); the statement is read with it and the proxy's answers carry it.
TEST(RelayMachine, FollowsNoBackslashEscapes) {
  constexpr uint16_t kNbe = p::SERVER_STATUS_NO_BACKSLASH_ESCAPES;
  Driver from_start(kEofCaps, TestConfig(), nullptr, sql::Dialect(), 2 | kNbe);
  EXPECT_FALSE(from_start.machine().SqlDialect().backslash_escapes);

  DatabaseNeeds plugin;
  Driver d(kEofCaps, TestConfig(), &plugin);
  EXPECT_TRUE(d.machine().SqlDialect().backslash_escapes);
  d.Client(Query("SET sql_mode = 'NO_BACKSLASH_ESCAPES'"));
  d.Backend(Packet(1, p::EncodeOk(0, 0, 2 | kNbe, 0, "", false)));
  EXPECT_FALSE(d.machine().SqlDialect().backslash_escapes);
  d.Client(Query("SHADOW SYNC ABORT 1"));
  ASSERT_EQ(d.out().statements.size(), 1u);
  EXPECT_FALSE(d.machine().Context().dialect.backslash_escapes);
  const size_t before = d.out().to_client.size();
  d.Answer(plugins::OkAnswer{0, 0, 0, ""});
  const std::string ok = d.out().to_client.substr(before + 4);  // the proxy's OK payload
  ASSERT_GE(ok.size(), 5u);
  EXPECT_EQ(static_cast<uint8_t>(ok[0]), 0x00);
  EXPECT_EQ(static_cast<uint8_t>(ok[3]) | (static_cast<uint8_t>(ok[4]) << 8), 2 | kNbe);
  d.Client(Query("SET sql_mode = ''"));
  d.Backend(Packet(1, p::EncodeOk(0, 0, 2, 0, "", false)));
  EXPECT_TRUE(d.machine().SqlDialect().backslash_escapes);
}

TEST(RelayMachine, PreparedShadowSyncIsRefusedInOrder) {
  std::string q1 = Query("SELECT * FROM nosuch_table");
  Outcome o =
      RunEverySplit(kBaseCaps, {C(q1 + Packet(0, "\x16SHADOW SYNC HELP")), B(g::kClassicQueryErr)});
  EXPECT_EQ(o.to_backend, q1);
  ASSERT_GT(o.to_client.size(), g::kClassicQueryErr.size() + 4);
  EXPECT_EQ(o.to_client.substr(0, g::kClassicQueryErr.size()), g::kClassicQueryErr);
  auto err = p::DecodeErr(
      p::AsBytes(std::string_view(o.to_client).substr(g::kClassicQueryErr.size() + 4)));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, 1295);
}

TEST(RelayMachine, ProtocolViolationsClose) {
  Outcome empty = RunEverySplit(kBaseCaps, {C(Packet(0, ""))});
  ASSERT_TRUE(empty.closed);
  EXPECT_TRUE(empty.close_warn);
  Outcome unknown = RunEverySplit(kBaseCaps, {C(Packet(0, "\x7f"))});
  ASSERT_TRUE(unknown.closed);
  EXPECT_NE(unknown.closed->find("0x7F"), std::string::npos);
  EXPECT_EQ(unknown.to_backend, "");
  Outcome half = RunEverySplit(kBaseCaps, {C(Query("SELECT 1").substr(0, 6)), ClientCloses()});
  ASSERT_TRUE(half.closed);
  EXPECT_TRUE(half.close_warn);  // EOF in the middle of a packet
}

TEST(RelayMachine, DrainClosesOnceTheResponseIsComplete) {
  Driver d(kBaseCaps);
  d.Client(Query("SELECT 1 AS a, NULL AS b, 'abc' AS c"));
  RelayMachine::Actions acts;
  d.machine().Drain(&acts);
  EXPECT_TRUE(acts.empty());
  EXPECT_EQ(d.machine().phase(), RelayMachine::Phase::kDraining);
  d.Backend(g::kClassicQuerySelect);
  ASSERT_TRUE(d.out().closed);
  EXPECT_EQ(d.out().to_client, g::kClassicQuerySelect);
}

// ---- the followed-DDL hook (plugins/ddl_follower.h) ----

// Takes every query starting with "ALTER" for DDL, and records what the relay reports.
class FakeFollower : public plugins::DdlFollower {
 public:
  struct Query : plugins::FollowedQuery {
    std::string text;
  };
  bool Follows(std::string_view) const override { return true; }
  std::shared_ptr<const plugins::FollowedQuery> Read(std::string_view text, const sql::Dialect&,
                                                     uint32_t) const override {
    if (text.substr(0, 5) != "ALTER") return nullptr;
    auto q = std::make_shared<Query>();
    q->text = std::string(text);
    return q;
  }
  void Answered(const plugins::FollowedQuery& q, const plugins::SessionContext& session,
                uint32_t ok, bool error) override {
    answered.push_back(static_cast<const Query&>(q).text + " ok=" + std::to_string(ok) +
                       (error ? " error" : "") + " db=" + session.database);
  }
  std::vector<std::string> answered;
};

std::string PrepareOk(uint32_t id) {
  std::string b(1, '\0');
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>(id >> (8 * i)));
  b.append(6, '\0');  // no columns, no parameters, filler, no warnings
  return b;
}
std::string StmtCommand(uint8_t command, uint32_t id) {
  std::string b(1, static_cast<char>(command));
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>(id >> (8 * i)));
  if (command == p::COM_STMT_EXECUTE) b += std::string("\0\1\0\0\0", 5);
  return Packet(0, b);
}

TEST(RelayFollow, ReportsWhatTheBackendAnsweredAndRelaysUntouched) {
  FakeFollower f;
  Driver d(kEofCaps, TestConfig(), nullptr, sql::Dialect(), 2, &f);
  const std::string ok = Packet(1, OkPayload());
  const std::string err = Packet(1, p::EncodeErr(1060, "42S21", "Duplicate column name 'x'"));
  const std::string more =
      Packet(1, p::EncodeOk(0, 0, 2 | p::SERVER_MORE_RESULTS_EXISTS, 0, "", false));
  const std::string multi_err = Packet(2, p::EncodeErr(1146, "42S02", "no such table"));
  std::string client, backend;
  auto step = [&](const std::string& c, const std::string& b) {
    d.Client(c);
    d.Backend(b);
    client += c;
    backend += b;
  };
  step(Query("SELECT 1"), ok);
  step(Query("ALTER TABLE t ADD x INT"), ok);
  step(Query("ALTER TABLE t ADD x INT"), err);
  step(Query("ALTER TABLE a ADD y INT; ALTER TABLE b ADD y INT"), more + multi_err);
  step(Packet(0, std::string("\x16") + "ALTER TABLE p ADD z INT"), Packet(1, PrepareOk(5)));
  step(StmtCommand(p::COM_STMT_EXECUTE, 5), ok);
  step(StmtCommand(p::COM_STMT_EXECUTE, 6), ok);  // another statement
  d.Client(StmtCommand(p::COM_STMT_CLOSE, 5));
  client += StmtCommand(p::COM_STMT_CLOSE, 5);
  step(StmtCommand(p::COM_STMT_EXECUTE, 5), err);  // closed: no longer followed
  EXPECT_EQ(d.out().to_backend, client);
  EXPECT_EQ(d.out().to_client, backend);
  EXPECT_EQ(f.answered, (std::vector<std::string>{
                            "ALTER TABLE t ADD x INT ok=1 db=",
                            "ALTER TABLE t ADD x INT ok=0 error db=",
                            "ALTER TABLE a ADD y INT; ALTER TABLE b ADD y INT ok=1 error db=",
                            "ALTER TABLE p ADD z INT ok=1 db=",
                        }));
}

TEST(RelayFollow, WaitsForTheWholeQueryBeforeRelayingIt) {
  FakeFollower f;
  Driver d(kEofCaps, TestConfig(), nullptr, sql::Dialect(), 2, &f);
  const std::string q = Query("ALTER TABLE t ADD x INT");
  for (char c : q) d.Client(std::string_view(&c, 1));
  EXPECT_EQ(d.out().to_backend, q);
  d.Backend(Packet(1, OkPayload()));
  EXPECT_EQ(f.answered.size(), 1u);
}

// ---- the shadow routing hook (plugins/shadow_router.h) ----

// Rewrites "orders" to "orders_shadow", refuses what names "audit", answers "later" later.
class FakeRouter : public plugins::ShadowRouter {
 public:
  bool Routes(std::string_view) const override { return true; }
  bool Enabled() const override { return true; }
  ShadowRoutingOptions Options() const override { return {}; }
  bool HasMark(std::string_view text, const sql::Dialect&) const override {
    return text.find("/*shadow='1'*/") != std::string_view::npos;
  }
  std::optional<plugins::Routed> Route(const plugins::RouteRequest& req,
                                       std::function<void(plugins::Routed)> done) override {
    seen.push_back(req.text + " db=" + req.database);
    if (req.text.find("later") != std::string::npos) {
      later = std::move(done);
      return std::nullopt;
    }
    return Answer(req.text);
  }
  static plugins::Routed Answer(std::string text) {
    plugins::Routed r;
    if (text.find("audit") != std::string::npos) {
      r.message = "shadow routing: table `db`.`audit` has no shadow `audit_shadow`";
      return r;
    }
    for (size_t at = text.find("orders"); at != std::string::npos;
         at = text.find("orders", at + 13))
      text.replace(at, 6, "orders_shadow");
    r.ok = true;
    r.text = text;
    return r;
  }
  std::vector<std::string> seen;
  std::function<void(plugins::Routed)> later;
};

std::string Err7040(uint8_t seq, std::string_view message) {
  return Packet(seq, p::EncodeErr(7040, "HY000", message));
}

TEST(RelayRouting, UnmarkedSessionsAreRelayedUntouched) {
  FakeRouter r;
  Driver d(kEofCaps, TestConfig(), nullptr, sql::Dialect(), 2, nullptr, &r, false, false);
  const std::string q = Query("SELECT * FROM orders /*shadow='1'*/");
  d.Client(q);
  EXPECT_EQ(d.out().to_backend, q);  // statement marks are off for this session
  EXPECT_TRUE(r.seen.empty());
}

TEST(RelayRouting, ShadowSessionsSendTheRewrittenText) {
  FakeRouter r;
  Driver d(kEofCaps, TestConfig(), nullptr, sql::Dialect(), 2, nullptr, &r, true);
  const std::string ok = Packet(1, OkPayload());
  const std::string q = Query("SELECT * FROM orders");
  for (char c : q) d.Client(std::string_view(&c, 1));  // whatever the split
  EXPECT_EQ(d.out().to_backend, Query("SELECT * FROM orders_shadow"));
  d.Backend(ok);
  EXPECT_EQ(d.out().to_client, ok);
  // Refused: never sent, ERR 7040 in its place; the next statement goes on.
  d.Client(Query("SELECT * FROM audit") + Query("DELETE FROM orders"));
  EXPECT_EQ(d.out().to_backend,
            Query("SELECT * FROM orders_shadow") + Query("DELETE FROM orders_shadow"));
  d.Backend(ok);
  EXPECT_EQ(
      d.out().to_client,
      ok + Err7040(1, "shadow routing: table `db`.`audit` has no shadow `audit_shadow`") + ok);
  EXPECT_EQ(r.seen.size(), 3u);
}

TEST(RelayRouting, PipelinedStatementsAreRoutedInOrder) {
  FakeRouter r;
  Driver d(kEofCaps, TestConfig(), nullptr, sql::Dialect(), 2, nullptr, &r, true);
  const std::string ok = Packet(1, OkPayload());
  d.Client(Query("UPDATE orders SET a = 1") + Query("SELECT * FROM audit") +
           Query("SELECT 2 FROM orders"));
  // Routed one at a time, each once what is before it is answered.
  EXPECT_EQ(d.out().to_backend, Query("UPDATE orders_shadow SET a = 1"));
  d.Backend(ok);
  EXPECT_EQ(d.out().to_backend,
            Query("UPDATE orders_shadow SET a = 1") + Query("SELECT 2 FROM orders_shadow"));
  d.Backend(ok);
  EXPECT_EQ(
      d.out().to_client,
      ok + Err7040(1, "shadow routing: table `db`.`audit` has no shadow `audit_shadow`") + ok);
}

TEST(RelayRouting, LaterAnswersHoldWhatFollows) {
  FakeRouter r;
  Driver d(kEofCaps, TestConfig(), nullptr, sql::Dialect(), 2, nullptr, &r, true);
  const std::string ok = Packet(1, OkPayload());
  d.Client(Query("SELECT later FROM orders") + Query("SELECT 1 FROM orders"));
  EXPECT_EQ(d.out().awaited_routes, 1);
  EXPECT_EQ(d.out().to_backend, "");
  EXPECT_EQ(r.seen.size(), 1u);  // asked once; the answer comes through OnRouted()
  d.Routed(FakeRouter::Answer("SELECT later FROM orders"));
  EXPECT_EQ(d.out().to_backend, Query("SELECT later FROM orders_shadow"));
  d.Backend(ok);
  EXPECT_EQ(d.out().to_backend,
            Query("SELECT later FROM orders_shadow") + Query("SELECT 1 FROM orders_shadow"));
}

TEST(RelayRouting, StatementMarksRouteOneStatement) {
  FakeRouter r;
  Driver d(kEofCaps, TestConfig(), nullptr, sql::Dialect(), 2, nullptr, &r, false, true);
  const std::string ok = Packet(1, OkPayload());
  d.Client(Query("SELECT * FROM orders /*shadow='1'*/"));
  d.Backend(ok);
  d.Client(Query("SELECT * FROM orders"));
  d.Backend(ok);
  EXPECT_EQ(d.out().to_backend,
            Query("SELECT * FROM orders_shadow /*shadow='1'*/") + Query("SELECT * FROM orders"));
  EXPECT_FALSE(d.machine().shadow());
}

TEST(RelayRouting, SetSessionShadowTurnsItOnAndOff) {
  FakeRouter r;
  DatabaseNeeds plugin_obj;
  auto* plugin = &plugin_obj;
  Driver d(kEofCaps, TestConfig(), plugin, sql::Dialect(), 2, nullptr, &r);
  const std::string ok = Packet(1, OkPayload());
  d.Client(Query("SHADOW SYNC SET SESSION SHADOW = ON"));
  plugins::OkAnswer on;
  on.shadow_session = true;
  d.Answer(on);
  EXPECT_TRUE(d.machine().shadow());
  d.Client(Query("SELECT * FROM orders"));
  d.Backend(ok);
  d.Client(Query("SHADOW SYNC SET SESSION SHADOW = OFF"));
  plugins::OkAnswer off;
  off.shadow_session = false;
  d.Answer(off);
  d.Client(Query("SELECT * FROM orders"));
  EXPECT_EQ(d.out().to_backend,
            Query("SELECT * FROM orders_shadow") + Query("SELECT * FROM orders"));
  EXPECT_FALSE(d.machine().shadow());
}

TEST(RelayRouting, PreparedOutsideShadowModeCannotRunInside) {
  FakeRouter r;
  DatabaseNeeds plugin_obj;
  auto* plugin = &plugin_obj;
  Driver d(kEofCaps, TestConfig(), plugin, sql::Dialect(), 2, nullptr, &r);
  const std::string ok = Packet(1, OkPayload());
  const std::string prep = Packet(0, std::string("\x16") + "SELECT * FROM orders");
  d.Client(prep);  // not a shadow session yet: relayed as it is
  d.Backend(Packet(1, PrepareOk(5)));
  d.Client(Query("SHADOW SYNC SET SESSION SHADOW = ON"));
  plugins::OkAnswer on;
  on.shadow_session = true;
  d.Answer(on);
  d.Client(Packet(0, std::string("\x16") + "SELECT 1 FROM orders"));  // rewritten at prepare
  d.Backend(Packet(1, PrepareOk(6)));
  const std::string before = d.out().to_client;
  d.Client(StmtCommand(p::COM_STMT_EXECUTE, 5));
  EXPECT_EQ(d.out().to_client,
            before + Err7040(1,
                             "shadow routing: statement 5 was prepared outside shadow mode; "
                             "prepare it again"));
  d.Client(StmtCommand(p::COM_STMT_EXECUTE, 6));
  d.Backend(ok);
  EXPECT_EQ(d.out().to_backend, prep +
                                    Packet(0, std::string("\x16") + "SELECT 1 FROM orders_shadow") +
                                    StmtCommand(p::COM_STMT_EXECUTE, 6));
}

TEST(RelayRouting, UseIsTrackedThroughTheRouter) {
  FakeRouter r;
  Driver d(kEofCaps, TestConfig(), nullptr, sql::Dialect(), 2, nullptr, &r, true);
  d.Client(Query("USE shop"));
  d.Backend(Packet(1, OkPayload()));
  d.Client(Query("SELECT 1"));
  EXPECT_EQ(r.seen, (std::vector<std::string>{"USE shop db=", "SELECT 1 db=shop"}));
}

TEST(RelayRouting, ChangeUserToAShadowUserMakesAShadowSession) {
  FakeRouter r;
  auto config = std::make_shared<Config>(*TestConfig());
  UserConfig lt;
  lt.name = "lt";  // pass-through, shadow: true
  lt.cluster = "local";
  lt.shadow = true;
  config->users.push_back(lt);
  Driver d(kBaseCaps, config, nullptr, sql::Dialect(), 2, nullptr, &r);
  p::ChangeUser cu;
  cu.username = "lt";
  cu.auth_response = std::string(20, 'z');
  cu.auth_plugin_name = "mysql_native_password";
  d.Client(Packet(0, p::EncodeChangeUser(cu, kBaseCaps)));
  EXPECT_FALSE(d.machine().shadow());  // not before the backend said OK
  d.Backend(Packet(2, OkPayload()));
  EXPECT_TRUE(d.machine().shadow());
  d.Client(Query("SELECT * FROM orders"));
  EXPECT_EQ(r.seen.size(), 1u);
}

}  // namespace
}  // namespace shadowproxy::proxy
