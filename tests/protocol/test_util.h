// Helpers for the protocol tests: split a captured byte stream into packets, build streams.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/packet.h"
#include "protocol/packets.h"
#include "protocol/response_tracker.h"

namespace shadowproxy::protocol::testing {

struct WirePacket {
  uint32_t length = 0;
  uint8_t seq = 0;
  std::string payload;
};

// Splits complete wire packets (no reassembly); stops at a truncated packet.
inline std::vector<WirePacket> SplitWire(std::string_view bytes) {
  std::vector<WirePacket> out;
  while (bytes.size() >= kHeaderSize) {
    PacketHeader h = DecodeHeader(reinterpret_cast<const uint8_t*>(bytes.data()));
    if (bytes.size() - kHeaderSize < h.length) break;
    out.push_back({h.length, h.seq, std::string(bytes.substr(kHeaderSize, h.length))});
    bytes.remove_prefix(kHeaderSize + h.length);
  }
  return out;
}

// Builds a server response packet by packet with increasing sequence ids.
class Stream {
 public:
  explicit Stream(uint8_t seq = 1) : seq_(seq) {}
  Stream& Add(std::string_view payload) {
    seq_ = AppendPacket(&bytes_, seq_, payload);
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
  uint8_t seq_;
};

// Feeds every packet of `bytes` (giving at most `peek` payload bytes of each) and returns the
// results, one per packet.
inline std::vector<TrackerResult> FeedAll(ResponseTracker* t, std::string_view bytes,
                                          size_t peek = ResponseTracker::kPeekBytes) {
  std::vector<TrackerResult> results;
  for (const WirePacket& p : SplitWire(bytes)) {
    results.push_back(t->OnPacket(p.length, reinterpret_cast<const uint8_t*>(p.payload.data()),
                                  std::min(peek, p.payload.size())));
  }
  return results;
}

}  // namespace shadowproxy::protocol::testing
