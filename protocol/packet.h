// MySQL packet framing: 3-byte little-endian length + 1-byte sequence id (no I/O here).
#pragma once

#include <cstddef>
#include <cstdint>

namespace shadowproxy::protocol {

inline constexpr size_t kHeaderSize = 4;
inline constexpr uint32_t kMaxPayload = 0xFFFFFF;  // a payload this long continues in the next packet

struct PacketHeader {
  uint32_t length = 0;
  uint8_t seq = 0;
};

// Reads a header from at least kHeaderSize bytes.
PacketHeader DecodeHeader(const uint8_t* p);
void EncodeHeader(const PacketHeader& h, uint8_t* out);

}  // namespace shadowproxy::protocol
