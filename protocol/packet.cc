#include "protocol/packet.h"

namespace shadowproxy::protocol {

PacketHeader DecodeHeader(const uint8_t* p) {
  PacketHeader h;
  h.length = uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16);
  h.seq = p[3];
  return h;
}

void EncodeHeader(const PacketHeader& h, uint8_t* out) {
  out[0] = static_cast<uint8_t>(h.length & 0xFF);
  out[1] = static_cast<uint8_t>((h.length >> 8) & 0xFF);
  out[2] = static_cast<uint8_t>((h.length >> 16) & 0xFF);
  out[3] = h.seq;
}

}  // namespace shadowproxy::protocol
