// Pure pieces of the relay: USE recognition, answer encoding, worker pool, loop posting.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "protocol/capabilities.h"
#include "protocol/packet.h"
#include "protocol/packets.h"
#include "proxy/answer.h"
#include "proxy/event_loop.h"
#include "proxy/relay_machine.h"
#include "proxy/session_internal.h"

namespace shadowproxy::proxy {
namespace {

namespace p = protocol;

TEST(ParseUse, Recognises) {
  std::string db;
  EXPECT_TRUE(ParseUseForTest("USE shop", &db));
  EXPECT_EQ(db, "shop");
  EXPECT_TRUE(ParseUseForTest("  use `my``db` ; ", &db));
  EXPECT_EQ(db, "my`db");
  EXPECT_TRUE(ParseUseForTest("use\tdb_1$", &db));
  EXPECT_EQ(db, "db_1$");
  EXPECT_FALSE(ParseUseForTest("USER", &db));
  EXPECT_FALSE(ParseUseForTest("use a; select 1", &db));
  EXPECT_FALSE(ParseUseForTest("use `unterminated", &db));
  EXPECT_FALSE(ParseUseForTest("use ", &db));
  EXPECT_FALSE(ParseUseForTest("update t set a=1", &db));
}

std::vector<std::pair<uint8_t, std::string>> Split(const std::string& bytes) {
  std::vector<std::pair<uint8_t, std::string>> out;
  size_t i = 0;
  while (i + p::kHeaderSize <= bytes.size()) {
    auto h = p::DecodeHeader(reinterpret_cast<const uint8_t*>(bytes.data() + i));
    out.emplace_back(h.seq, bytes.substr(i + p::kHeaderSize, h.length));
    i += p::kHeaderSize + h.length;
  }
  EXPECT_EQ(i, bytes.size());
  return out;
}

TEST(EncodeAnswer, OkErrAndResultSet) {
  std::string out;
  EncodeAnswer(plugins::OkAnswer{3, 0, 0, ""}, p::CLIENT_PROTOCOL_41, 2, &out);
  auto pk = Split(out);
  ASSERT_EQ(pk.size(), 1u);
  EXPECT_EQ(pk[0].first, 1);
  auto ok = p::DecodeOk(p::AsBytes(pk[0].second));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->affected_rows, 3u);

  out.clear();
  EncodeAnswer(Status(7002, "unknown task 9"), p::CLIENT_PROTOCOL_41, 2, &out);
  pk = Split(out);
  ASSERT_EQ(pk.size(), 1u);
  auto err = p::DecodeErr(p::AsBytes(pk[0].second));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, 7002);
  EXPECT_EQ(err->message, "unknown task 9");

  plugins::ResultSetAnswer rs;
  rs.columns = {"a", "b"};
  rs.rows = {{"1", std::nullopt}, {"2", "x"}};
  out.clear();
  EncodeAnswer(rs, p::CLIENT_PROTOCOL_41, 2, &out);
  pk = Split(out);
  // count, 2 defs, EOF, 2 rows, EOF
  ASSERT_EQ(pk.size(), 7u);
  for (size_t i = 0; i < pk.size(); ++i) EXPECT_EQ(pk[i].first, i + 1);
  out.clear();
  EncodeAnswer(rs, p::CLIENT_PROTOCOL_41 | p::CLIENT_DEPRECATE_EOF, 2, &out);
  EXPECT_EQ(Split(out).size(), 6u);  // no EOF after the column definitions
}

TEST(EventLoop, PostRunsOnTheLoopThreadInOrder) {
  EventLoop loop(0);
  ASSERT_TRUE(loop.Start());
  std::vector<int> seen;
  std::promise<bool> on_loop;
  for (int i = 0; i < 5; ++i) loop.Post([&seen, i] { seen.push_back(i); });
  loop.Post([&] { on_loop.set_value(loop.InLoopThread()); });
  auto f = on_loop.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(f.get());
  loop.Stop();
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace shadowproxy::proxy
