// ResponseTracker: golden MariaDB 10.11 responses and a case table of synthetic responses for
// every command kind (multi-results, LOCAL INFILE, prepare with/without DEPRECATE_EOF, cursors,
// 16 MiB rows).
#include "protocol/response_tracker.h"

#include <gtest/gtest.h>

#include "protocol/capabilities.h"
#include "protocol/command.h"
#include "protocol/handshake.h"
#include "protocol/resultset.h"
#include "protocol/wire.h"
#include "tests/protocol/golden_mariadb.h"
#include "tests/protocol/golden_mariadb_live.h"
#include "tests/protocol/test_util.h"

namespace shadowproxy::protocol {
namespace {

using testing::FeedAll;
using testing::SplitWire;
using testing::Stream;
using R = TrackerResult;

constexpr uint32_t kBaseCaps = CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH |
                               CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS |
                               CLIENT_PS_MULTI_RESULTS | CLIENT_LOCAL_FILES;
constexpr uint32_t kEofCaps = kBaseCaps | CLIENT_DEPRECATE_EOF;

// Expects kNeedMore for every packet but the last, kDone for the last, and returns the tracker.
void ExpectCompleteAtEnd(uint8_t command, uint32_t caps, std::string_view bytes, ResponseTracker* t,
                         uint32_t ext = 0) {
  t->Start(command, caps, ext);
  std::vector<R> results = FeedAll(t, bytes);
  ASSERT_FALSE(results.empty());
  for (size_t i = 0; i + 1 < results.size(); ++i) {
    EXPECT_EQ(results[i], R::kNeedMore) << "packet " << i << " of " << results.size();
  }
  EXPECT_EQ(results.back(), R::kDone);
  EXPECT_TRUE(t->done());
}

struct GoldenCase {
  const char* name;
  uint8_t command;
  std::string_view classic;
  std::string_view deprecate_eof;
  bool error;
  uint32_t results;
};

TEST(ResponseTrackerGolden, MariaDbResponsesEndExactlyAtTheLastPacket) {
  namespace g = golden;
  const GoldenCase cases[] = {
      {"login ok", COM_CHANGE_USER, g::kClassicLoginOk, g::kDeprecateEofLoginOk, false, 1},
      {"select", COM_QUERY, g::kClassicQuerySelect, g::kDeprecateEofQuerySelect, false, 1},
      {"multi", COM_QUERY, g::kClassicQueryMulti, g::kDeprecateEofQueryMulti, false, 3},
      {"err", COM_QUERY, g::kClassicQueryErr, g::kDeprecateEofQueryErr, true, 1},
      {"ping", COM_PING, g::kClassicPing, g::kDeprecateEofPing, false, 1},
      {"statistics", COM_STATISTICS, g::kClassicStatistics, g::kDeprecateEofStatistics, false, 1},
      {"field_list", COM_FIELD_LIST, g::kClassicFieldList, g::kDeprecateEofFieldList, false, 1},
      {"prepare", COM_STMT_PREPARE, g::kClassicPrepare, g::kDeprecateEofPrepare, false, 1},
      {"set_option", COM_SET_OPTION, g::kClassicSetOption, g::kDeprecateEofSetOption, false, 1},
      {"init_db", COM_INIT_DB, g::kClassicInitDb, g::kDeprecateEofInitDb, false, 1},
      {"prepare_simple", COM_STMT_PREPARE, g::kClassicPrepareSimple, g::kDeprecateEofPrepareSimple,
       false, 1},
      {"execute", COM_STMT_EXECUTE, g::kClassicExecute, g::kDeprecateEofExecute, false, 1},
      {"execute_cursor", COM_STMT_EXECUTE, g::kClassicExecuteCursor, g::kDeprecateEofExecuteCursor,
       false, 1},
      {"fetch1", COM_STMT_FETCH, g::kClassicFetch1, g::kDeprecateEofFetch1, false, 1},
      {"fetch2", COM_STMT_FETCH, g::kClassicFetch2, g::kDeprecateEofFetch2, false, 1},
      {"reset_connection", COM_RESET_CONNECTION, g::kClassicResetConnection,
       g::kDeprecateEofResetConnection, false, 1},
      {"infile_after", COM_QUERY, g::kClassicQueryInfileAfter, g::kDeprecateEofQueryInfileAfter,
       false, 1},
  };
  for (const GoldenCase& c : cases) {
    for (bool deprecate : {false, true}) {
      SCOPED_TRACE(std::string(c.name) + (deprecate ? " deprecate_eof" : " classic"));
      ResponseTracker t;
      ExpectCompleteAtEnd(c.command, deprecate ? kEofCaps : kBaseCaps,
                          deprecate ? c.deprecate_eof : c.classic, &t);
      EXPECT_EQ(t.error(), c.error);
      EXPECT_EQ(t.results(), c.results);
    }
  }
}

// Giving the tracker fewer bytes than kPeekBytes may make it give up (kProtocolError), but it
// never gives a different answer; with kPeekBytes or more the answers are those of whole payloads.
TEST(ResponseTrackerGolden, PeekLimitNeverGivesAWrongAnswer) {
  namespace g = golden;
  const std::pair<uint8_t, std::string_view> streams[] = {
      {COM_QUERY, g::kClassicQuerySelect},         {COM_QUERY, g::kDeprecateEofQueryMulti},
      {COM_QUERY, g::kClassicQueryMulti},          {COM_STMT_PREPARE, g::kClassicPrepare},
      {COM_STMT_EXECUTE, g::kDeprecateEofExecute}, {COM_FIELD_LIST, g::kDeprecateEofFieldList},
      {COM_QUERY, g::kDeprecateEofQueryInfile},    {COM_SET_OPTION, g::kClassicSetOption},
  };
  for (const auto& [command, bytes] : streams) {
    for (uint32_t caps : {kBaseCaps, kEofCaps}) {
      ResponseTracker full;
      full.Start(command, caps);
      std::vector<R> expect = FeedAll(&full, bytes, SIZE_MAX);
      for (size_t peek = 0; peek <= ResponseTracker::kPeekBytes + 2; ++peek) {
        ResponseTracker t;
        t.Start(command, caps);
        std::vector<R> got = FeedAll(&t, bytes, peek);
        ASSERT_EQ(got.size(), expect.size());
        for (size_t i = 0; i < got.size(); ++i) {
          if (got[i] == R::kProtocolError && peek < ResponseTracker::kPeekBytes) break;
          EXPECT_EQ(got[i], expect[i]) << "peek " << peek << " packet " << i;
        }
      }
    }
  }
}

// 48 more real responses: CALL, multi-statement ending in ERR, LOAD DATA LOCAL INFILE with data,
// prepared statements with cursors, OUT parameters, field lists, set option, ... The capture
// boundaries (not the tracker) define where each response ends; the error flag must match the
// last packet being an ERR.
TEST(ResponseTrackerGolden, LiveResponsesEndExactlyAtTheLastPacket) {
  for (const golden::LiveResponse& live : golden::kLiveResponses) {
    SCOPED_TRACE(std::string(live.what) + (live.deprecate_eof ? " deprecate_eof" : " classic"));
    std::vector<testing::WirePacket> packets = SplitWire(live.bytes);
    ASSERT_FALSE(packets.empty());
    ResponseTracker t;
    t.Start(live.command, live.deprecate_eof ? kEofCaps : kBaseCaps);
    std::vector<R> r = FeedAll(&t, live.bytes);
    ASSERT_EQ(r.size(), packets.size());
    for (size_t i = 0; i + 1 < r.size(); ++i) {
      // Only a first packet can be the request; a row starting with 0xFB is a NULL cell.
      bool infile = i == 0 && static_cast<uint8_t>(packets[i].payload[0]) == 0xFB;
      EXPECT_EQ(r[i], infile ? R::kLocalInfileRequest : R::kNeedMore) << i;
    }
    EXPECT_EQ(r.back(), R::kDone);
    EXPECT_EQ(t.error(), static_cast<uint8_t>(packets.back().payload[0]) == 0xFF);
  }
}

TEST(ResponseTrackerGolden, CursorFlagsAndLastRow) {
  for (bool deprecate : {false, true}) {
    ResponseTracker t;
    ExpectCompleteAtEnd(
        COM_STMT_EXECUTE, deprecate ? kEofCaps : kBaseCaps,
        deprecate ? golden::kDeprecateEofExecuteCursor : golden::kClassicExecuteCursor, &t);
    EXPECT_TRUE(t.status_flags() & SERVER_STATUS_CURSOR_EXISTS);
    ExpectCompleteAtEnd(COM_STMT_FETCH, deprecate ? kEofCaps : kBaseCaps,
                        deprecate ? golden::kDeprecateEofFetch2 : golden::kClassicFetch2, &t);
    EXPECT_TRUE(t.status_flags() & SERVER_STATUS_LAST_ROW_SENT);
  }
}

TEST(ResponseTrackerGolden, LocalInfileRequest) {
  for (bool deprecate : {false, true}) {
    ResponseTracker t;
    t.Start(COM_QUERY, deprecate ? kEofCaps : kBaseCaps);
    std::vector<R> r =
        FeedAll(&t, deprecate ? golden::kDeprecateEofQueryInfile : golden::kClassicQueryInfile);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], R::kLocalInfileRequest);
    EXPECT_FALSE(t.done());
    // The server's answer after the client's data + empty packet.
    r = FeedAll(
        &t, deprecate ? golden::kDeprecateEofQueryInfileAfter : golden::kClassicQueryInfileAfter);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], R::kDone);
    EXPECT_FALSE(t.error());
  }
}

TEST(ResponseTrackerGolden, PrepareStatementId) {
  ResponseTracker t;
  ExpectCompleteAtEnd(COM_STMT_PREPARE, kBaseCaps, golden::kClassicPrepare, &t);
  std::vector<testing::WirePacket> packets = SplitWire(golden::kClassicPrepare);
  // 1 prepare-OK, 2 params + EOF, 2 columns + EOF.
  EXPECT_EQ(packets.size(), 7u);
  EXPECT_NE(t.statement_id(), 0u);
}

// ---- synthetic case table ----

std::string Ok(uint16_t status = SERVER_STATUS_AUTOCOMMIT) { return EncodeOk(0, 0, status, 0); }
std::string EndOk(uint16_t status = SERVER_STATUS_AUTOCOMMIT) {
  return EncodeOk(0, 0, status, 0, {}, true);
}
std::string Eof(uint16_t status = SERVER_STATUS_AUTOCOMMIT) { return EncodeEof(0, status); }
std::string Err() { return EncodeErr(1064, "42000", "You have an error"); }
std::string ColDef(std::string_view name = "c") { return EncodeColumnDefinition(name, 10, 0); }
std::string ColCount(uint64_t n) {
  std::string s;
  Writer w(&s);
  w.LenencInt(n);
  return s;
}
std::string TextRow(std::string_view v) {
  std::string s;
  Writer w(&s);
  w.LenencString(v);
  return s;
}
std::string BinaryRow() { return std::string("\x00\x00\x01\x00\x00\x00", 6); }

// A result set with `cols` columns and `rows` rows, ending with `end_status`.
void AddResultSet(Stream* s, bool deprecate, int cols, int rows, uint16_t end_status,
                  bool binary = false) {
  s->Add(ColCount(cols));
  for (int i = 0; i < cols; ++i) s->Add(ColDef());
  if (!deprecate) s->Add(Eof(SERVER_STATUS_AUTOCOMMIT));
  for (int i = 0; i < rows; ++i) s->Add(binary ? BinaryRow() : TextRow("v"));
  s->Add(deprecate ? EndOk(end_status) : Eof(end_status));
}

std::string PrepareOk(uint32_t id, uint16_t cols, uint16_t params) {
  std::string s;
  Writer w(&s);
  w.U8(0);
  w.U32(id);
  w.U16(cols);
  w.U16(params);
  w.U8(0);
  w.U16(0);
  return s;
}

struct SyntheticCase {
  std::string name;
  uint8_t command;
  bool deprecate;
  std::string bytes;
  bool error;
  uint32_t results;
};

std::vector<SyntheticCase> SyntheticCases() {
  std::vector<SyntheticCase> cases;
  constexpr uint16_t kMore = SERVER_MORE_RESULTS_EXISTS | SERVER_STATUS_AUTOCOMMIT;
  for (bool d : {false, true}) {
    std::string tag = d ? " deprecate_eof" : " classic";
    {
      Stream s;
      s.Add(Ok());
      cases.push_back({"query ok" + tag, COM_QUERY, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(Err());
      cases.push_back({"query err" + tag, COM_QUERY, d, s.bytes(), true, 1});
    }
    {
      Stream s;
      AddResultSet(&s, d, 3, 5, SERVER_STATUS_AUTOCOMMIT);
      cases.push_back({"query resultset" + tag, COM_QUERY, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      AddResultSet(&s, d, 1, 0, SERVER_STATUS_AUTOCOMMIT);
      cases.push_back({"query empty resultset" + tag, COM_QUERY, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(ColCount(2)).Add(ColDef()).Add(ColDef());
      if (!d) s.Add(Eof());
      s.Add(TextRow("a")).Add(Err());
      cases.push_back({"query error mid-rows" + tag, COM_QUERY, d, s.bytes(), true, 1});
    }
    {
      // Multi-statement: OK(more), result set(more), OK(more), result set, ERR ends everything.
      Stream s;
      s.Add(Ok(kMore));
      AddResultSet(&s, d, 1, 2, kMore);
      s.Add(Ok(kMore));
      AddResultSet(&s, d, 2, 1, kMore);
      s.Add(Err());
      cases.push_back({"multi-statement" + tag, COM_QUERY, d, s.bytes(), true, 5});
    }
    {
      // CALL: result sets then the final OK.
      Stream s;
      AddResultSet(&s, d, 1, 1, kMore);
      AddResultSet(&s, d, 1, 1, kMore);
      s.Add(Ok(SERVER_STATUS_AUTOCOMMIT));
      cases.push_back({"call multi-result" + tag, COM_QUERY, d, s.bytes(), false, 3});
    }
    {
      Stream s;
      s.Add(PrepareOk(7, 2, 3));
      for (int i = 0; i < 3; ++i) s.Add(ColDef("?"));
      if (!d) s.Add(Eof());
      for (int i = 0; i < 2; ++i) s.Add(ColDef());
      if (!d) s.Add(Eof());
      cases.push_back({"prepare params+columns" + tag, COM_STMT_PREPARE, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(PrepareOk(7, 0, 2));
      for (int i = 0; i < 2; ++i) s.Add(ColDef("?"));
      if (!d) s.Add(Eof());
      cases.push_back({"prepare params only" + tag, COM_STMT_PREPARE, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(PrepareOk(7, 2, 0));
      for (int i = 0; i < 2; ++i) s.Add(ColDef());
      if (!d) s.Add(Eof());
      cases.push_back({"prepare columns only" + tag, COM_STMT_PREPARE, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(PrepareOk(7, 0, 0));
      cases.push_back({"prepare no columns" + tag, COM_STMT_PREPARE, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(Err());
      cases.push_back({"prepare err" + tag, COM_STMT_PREPARE, d, s.bytes(), true, 1});
    }
    {
      Stream s;
      AddResultSet(&s, d, 2, 4, SERVER_STATUS_AUTOCOMMIT, /*binary=*/true);
      cases.push_back({"execute binary" + tag, COM_STMT_EXECUTE, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      AddResultSet(&s, d, 1, 1, kMore | SERVER_PS_OUT_PARAMS, true);
      s.Add(Ok());
      cases.push_back({"execute out params" + tag, COM_STMT_EXECUTE, d, s.bytes(), false, 2});
    }
    {
      Stream s;
      s.Add(ColCount(2)).Add(ColDef()).Add(ColDef());
      uint16_t st = SERVER_STATUS_AUTOCOMMIT | SERVER_STATUS_CURSOR_EXISTS;
      s.Add(d ? EndOk(st) : Eof(st));
      cases.push_back({"execute cursor" + tag, COM_STMT_EXECUTE, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(BinaryRow()).Add(BinaryRow());
      uint16_t st = SERVER_STATUS_AUTOCOMMIT | SERVER_STATUS_CURSOR_EXISTS;
      s.Add(d ? EndOk(st) : Eof(st));
      cases.push_back({"fetch" + tag, COM_STMT_FETCH, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(Err());
      cases.push_back({"fetch err" + tag, COM_STMT_FETCH, d, s.bytes(), true, 1});
    }
    {
      Stream s;
      s.Add(ColDef()).Add(ColDef());
      s.Add(d ? EndOk() : Eof());
      cases.push_back({"field list" + tag, COM_FIELD_LIST, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(Err());
      cases.push_back({"field list err" + tag, COM_FIELD_LIST, d, s.bytes(), true, 1});
    }
    {
      Stream s;
      s.Add("Uptime: 5  Threads: 1");
      cases.push_back({"statistics" + tag, COM_STATISTICS, d, s.bytes(), false, 1});
    }
    for (uint8_t cmd : {COM_PING, COM_INIT_DB, COM_RESET_CONNECTION, COM_STMT_RESET, COM_SET_OPTION,
                        COM_PROCESS_KILL, COM_REFRESH}) {
      Stream ok;
      ok.Add(Ok());
      cases.push_back({std::string(CommandName(cmd)) + " ok" + tag, cmd, d, ok.bytes(), false, 1});
      Stream err;
      err.Add(Err());
      cases.push_back({std::string(CommandName(cmd)) + " err" + tag, cmd, d, err.bytes(), true, 1});
    }
    {
      Stream s;
      s.Add(Eof());
      cases.push_back({"set_option eof" + tag, COM_SET_OPTION, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(EncodeAuthSwitchRequest(
                {"mysql_native_password", "0123456789abcdefghij" + std::string(1, '\0')}))
          .Add(std::string("\x01\x03", 2))
          .Add(Ok());
      cases.push_back({"change_user" + tag, COM_CHANGE_USER, d, s.bytes(), false, 1});
    }
    {
      Stream s;
      s.Add(std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09", 10))
          .Add(std::string("\x00\x01\x02", 3))
          .Add(Eof());
      cases.push_back({"binlog dump" + tag, COM_BINLOG_DUMP, d, s.bytes(), false, 1});
    }
    {
      // A 16 MiB row: first packet starts with 0xFE (8-byte length prefix) and must not be
      // taken for the end; the continuation starts with 0xFE/0xFF/0x00 bytes that are opaque.
      std::string big = TextRow(std::string(kMaxPayload + 100, '\xFE'));
      EXPECT_EQ(static_cast<uint8_t>(big[0]), 0xFE);
      Stream s;
      s.Add(ColCount(1)).Add(ColDef());
      if (!d) s.Add(Eof());
      s.Add(big).Add(TextRow("small"));
      s.Add(d ? EndOk() : Eof());
      cases.push_back({"16MiB row" + tag, COM_QUERY, d, s.bytes(), false, 1});
    }
    {
      // Exactly 2 * 0xFFFFFF bytes: two full packets and the empty trailer.
      std::string row(2 * kMaxPayload, '\xFF');
      row[0] = '\x00';
      Stream s;
      s.Add(ColCount(1)).Add(ColDef());
      if (!d) s.Add(Eof());
      s.Add(row);
      s.Add(d ? EndOk() : Eof());
      cases.push_back({"exact multiple row" + tag, COM_STMT_EXECUTE, d, s.bytes(), false, 1});
    }
  }
  return cases;
}

TEST(ResponseTrackerSynthetic, CaseTable) {
  for (const SyntheticCase& c : SyntheticCases()) {
    SCOPED_TRACE(c.name);
    ResponseTracker t;
    ExpectCompleteAtEnd(c.command, c.deprecate ? kEofCaps : kBaseCaps, c.bytes, &t);
    EXPECT_EQ(t.error(), c.error);
    EXPECT_EQ(t.results(), c.results);
    // Truncating the stream before its last packet never reports kDone.
    std::vector<testing::WirePacket> packets = SplitWire(c.bytes);
    t.Start(c.command, c.deprecate ? kEofCaps : kBaseCaps);
    for (size_t i = 0; i + 1 < packets.size(); ++i) {
      const auto& p = packets[i];
      EXPECT_EQ(t.OnPacket(p.length, reinterpret_cast<const uint8_t*>(p.payload.data()),
                           std::min(p.payload.size(), ResponseTracker::kPeekBytes)),
                R::kNeedMore);
      EXPECT_FALSE(t.done());
    }
  }
}

TEST(ResponseTrackerSynthetic, NoResponseCommands) {
  for (uint8_t cmd : {COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA}) {
    ResponseTracker t;
    t.Start(cmd, kBaseCaps);
    EXPECT_TRUE(t.done());
    std::string ok = Ok();
    EXPECT_EQ(t.OnPacket(AsBytes(ok)), R::kProtocolError);
  }
}

TEST(ResponseTrackerSynthetic, PacketAfterDoneIsAnError) {
  ResponseTracker t;
  t.Start(COM_PING, kBaseCaps);
  std::string ok = Ok();
  EXPECT_EQ(t.OnPacket(AsBytes(ok)), R::kDone);
  EXPECT_EQ(t.OnPacket(AsBytes(ok)), R::kProtocolError);
}

TEST(ResponseTrackerSynthetic, TooFewBytesIsAnError) {
  ResponseTracker t;
  t.Start(COM_QUERY, kBaseCaps);
  std::string ok = EncodeOk(1ull << 40, 1ull << 40, SERVER_STATUS_AUTOCOMMIT, 0);
  ASSERT_EQ(ok.size(), 23u);  // status flags end at byte 21
  EXPECT_EQ(t.OnPacket(static_cast<uint32_t>(ok.size()), AsBytes(ok).data(), 20),
            R::kProtocolError);
  t.Start(COM_QUERY, kBaseCaps);
  EXPECT_EQ(t.OnPacket(static_cast<uint32_t>(ok.size()), AsBytes(ok).data(), 21), R::kDone);
  EXPECT_EQ(t.status_flags(), SERVER_STATUS_AUTOCOMMIT);
}

TEST(ResponseTrackerSynthetic, InfileThenMoreResults) {
  ResponseTracker t;
  t.Start(COM_QUERY, kBaseCaps);
  std::string req = std::string("\xFB", 1) + "file.csv";
  EXPECT_EQ(t.OnPacket(AsBytes(req)), R::kLocalInfileRequest);
  std::string ok_more = Ok(SERVER_MORE_RESULTS_EXISTS);
  EXPECT_EQ(t.OnPacket(AsBytes(ok_more)), R::kNeedMore);
  std::string ok = Ok();
  EXPECT_EQ(t.OnPacket(AsBytes(ok)), R::kDone);
  // A prepared LOAD DATA LOCAL INFILE (MariaDB) asks for the file the same way.
  t.Start(COM_STMT_EXECUTE, kBaseCaps);
  EXPECT_EQ(t.OnPacket(AsBytes(req)), R::kLocalInfileRequest);
  EXPECT_EQ(t.OnPacket(AsBytes(ok)), R::kDone);
  // Other commands never get one.
  for (uint8_t cmd : {COM_STMT_FETCH, COM_STMT_PREPARE, COM_PING, COM_FIELD_LIST}) {
    t.Start(cmd, kBaseCaps);
    EXPECT_NE(t.OnPacket(AsBytes(req)), R::kLocalInfileRequest) << int(cmd);
  }
}

TEST(ResponseTrackerSynthetic, CacheMetadataSkipsColumnDefinitions) {
  for (bool d : {false, true}) {
    Stream s;
    s.Add(std::string("\x02\x00", 2));  // 2 columns, metadata follows = 0
    if (!d) s.Add(Eof());
    s.Add(BinaryRow());
    s.Add(d ? EndOk() : Eof());
    ResponseTracker t;
    ExpectCompleteAtEnd(COM_STMT_EXECUTE, d ? kEofCaps : kBaseCaps, s.bytes(), &t,
                        MARIADB_CLIENT_CACHE_METADATA);
    Stream full;
    full.Add(std::string("\x01\x01", 2)).Add(ColDef());
    if (!d) full.Add(Eof());
    full.Add(d ? EndOk() : Eof());
    ExpectCompleteAtEnd(COM_STMT_EXECUTE, d ? kEofCaps : kBaseCaps, full.bytes(), &t,
                        MARIADB_CLIENT_CACHE_METADATA);
  }
}

TEST(ResponseTrackerSynthetic, MariaDbProgressReportsAreSkipped) {
  ResponseTracker t;
  t.Start(COM_QUERY, kBaseCaps, MARIADB_CLIENT_PROGRESS);
  std::string progress("\xFF\xFF\xFF\x01\x01\x01\x10\x00\x00\x00", 10);
  EXPECT_EQ(t.OnPacket(AsBytes(progress)), R::kNeedMore);
  std::string ok = Ok();
  EXPECT_EQ(t.OnPacket(AsBytes(ok)), R::kDone);
  EXPECT_FALSE(t.error());
  // Without the capability it is an ordinary ERR.
  t.Start(COM_QUERY, kBaseCaps);
  EXPECT_EQ(t.OnPacket(AsBytes(progress)), R::kDone);
  EXPECT_TRUE(t.error());
}

TEST(ResponseTrackerSynthetic, TransactionStatusIsTracked) {
  ResponseTracker t;
  t.Start(COM_QUERY, kBaseCaps);
  std::string ok = Ok(SERVER_STATUS_IN_TRANS);
  EXPECT_EQ(t.OnPacket(AsBytes(ok)), R::kDone);
  EXPECT_TRUE(t.has_status_flags());
  EXPECT_EQ(t.status_flags(), SERVER_STATUS_IN_TRANS);
}

TEST(ResponseTrackerSynthetic, ProxyResultSetsAreTrackable) {
  for (uint32_t caps : {kBaseCaps, kEofCaps}) {
    EncodedResponse r = EncodeTextResultSet({"a", "b"}, {{"1", std::nullopt}, {"x", "y"}}, caps, 1);
    ResponseTracker t;
    ExpectCompleteAtEnd(COM_QUERY, caps, r.bytes, &t);
  }
}

}  // namespace
}  // namespace shadowproxy::protocol
