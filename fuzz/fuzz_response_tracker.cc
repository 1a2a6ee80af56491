// Fuzzes ResponseTracker with a random packet stream for a random command and capabilities.
// Checks: no out-of-bounds reads (the tracker gets exactly the bytes that exist), the answer does
// not change between "whole payload" and "first kPeekBytes bytes", done() agrees with kDone,
// nothing but kProtocolError after kDone. When a COM_QUERY response completes, it is also fed to
// DecodeSingleValue (the relay's reading of its own SELECT DATABASE()): no crash, and a value it
// returns survives a round trip through EncodeTextResultSet.
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "protocol/capabilities.h"
#include "protocol/command.h"
#include "protocol/packet.h"
#include "protocol/response_tracker.h"
#include "protocol/resultset.h"

using namespace shadowproxy::protocol;
using shadowproxy::fuzz::Input;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  uint8_t command = in.Byte();
  uint8_t flags = in.Byte();
  uint32_t caps = CLIENT_PROTOCOL_41 | ((flags & 1) ? CLIENT_DEPRECATE_EOF : 0) |
                  ((flags & 2) ? CLIENT_OPTIONAL_RESULTSET_METADATA : 0);
  uint32_t ext = ((flags & 4) ? MARIADB_CLIENT_PROGRESS : 0) |
                 ((flags & 8) ? MARIADB_CLIENT_CACHE_METADATA : 0);
  ResponseTracker whole, peek;
  whole.Start(command, caps, ext);
  peek.Start(command, caps, ext);
  bool done = whole.done();
  std::vector<std::string> payloads;
  while (!in.empty()) {
    uint8_t sel = in.Byte();
    uint32_t length;
    std::span<const uint8_t> bytes;
    if (sel == 0xFF) {  // a 16 MiB packet: only its first bytes exist
      length = kMaxPayload;
      bytes = in.Take(ResponseTracker::kPeekBytes);
    } else {
      bytes = in.Take(sel % 48);
      length = static_cast<uint32_t>(bytes.size());
    }
    // Copy to an exact-size heap buffer so ASan catches any read past `available`.
    std::vector<uint8_t> buf(bytes.begin(), bytes.end());
    TrackerResult a = whole.OnPacket(length, buf.data(), buf.size());
    size_t n = buf.size() < ResponseTracker::kPeekBytes ? buf.size() : ResponseTracker::kPeekBytes;
    std::vector<uint8_t> head(buf.begin(), buf.begin() + n);
    TrackerResult b = peek.OnPacket(length, head.data(), head.size());
    SP_FUZZ_CHECK(a == b);
    if (done) SP_FUZZ_CHECK(a == TrackerResult::kProtocolError);
    if (a == TrackerResult::kDone) SP_FUZZ_CHECK(whole.done());
    if (a == TrackerResult::kNeedMore || a == TrackerResult::kLocalInfileRequest) {
      SP_FUZZ_CHECK(!whole.done());
    }
    SP_FUZZ_CHECK(whole.status_flags() == peek.status_flags());
    SP_FUZZ_CHECK(whole.results() == peek.results());
    if (length < kMaxPayload) payloads.emplace_back(buf.begin(), buf.end());
    if (a == TrackerResult::kDone && command == COM_QUERY) {
      auto v = DecodeSingleValue(payloads, caps, ext);
      if (v.ok() && v->has_value()) {
        // What the proxy would send back decodes to the same value. (Our encoder writes the
        // MariaDB metadata byte, not MySQL's optional-metadata one.)
        uint32_t enc_caps = caps & ~CLIENT_OPTIONAL_RESULTSET_METADATA;
        EncodedResponse r = EncodeTextResultSet({"v"}, {{**v}}, enc_caps, 1, 2, 0, ext);
        std::vector<std::string> again;
        std::string_view rest = r.bytes;
        while (rest.size() >= kHeaderSize) {
          PacketHeader h = DecodeHeader(reinterpret_cast<const uint8_t*>(rest.data()));
          again.emplace_back(rest.substr(kHeaderSize, h.length));
          rest.remove_prefix(kHeaderSize + h.length);
        }
        auto back = DecodeSingleValue(again, enc_caps, ext);
        SP_FUZZ_CHECK(back.ok() && *back == *v);
      }
    }
    done = whole.done();
  }
  return 0;
}
