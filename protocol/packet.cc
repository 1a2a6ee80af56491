#include "protocol/packet.h"

#include <utility>

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

std::string FramePacket(uint8_t seq, std::string_view payload) {
  std::string out;
  AppendPacket(&out, seq, payload);
  return out;
}

uint8_t AppendPacket(std::string* out, uint8_t seq, std::string_view payload) {
  out->reserve(out->size() + payload.size() + kHeaderSize * (1 + payload.size() / kMaxPayload));
  while (true) {
    size_t chunk = payload.size() < kMaxPayload ? payload.size() : kMaxPayload;
    uint8_t header[kHeaderSize];
    EncodeHeader(PacketHeader{static_cast<uint32_t>(chunk), seq}, header);
    out->append(reinterpret_cast<const char*>(header), kHeaderSize);
    out->append(payload.data(), chunk);
    payload.remove_prefix(chunk);
    seq = static_cast<uint8_t>(seq + 1);
    if (chunk < kMaxPayload) return seq;  // a short (possibly empty) packet ends the payload
  }
}

void PacketJoiner::Feed(std::span<const uint8_t> bytes) {
  if (!error_.empty()) return;
  if (pos_ > 0 && pos_ >= buffer_.size() / 2) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

PacketJoiner::State PacketJoiner::Fail(std::string message) {
  error_ = std::move(message);
  buffer_.clear();
  pos_ = 0;
  return State::kError;
}

PacketJoiner::State PacketJoiner::Next(JoinedPayload* out) {
  if (!error_.empty()) return State::kError;
  while (buffer_.size() - pos_ >= kHeaderSize) {
    PacketHeader h = DecodeHeader(reinterpret_cast<const uint8_t*>(buffer_.data() + pos_));
    if (options_.check_sequence && have_expected_ && h.seq != expected_seq_) {
      return Fail("packet out of order: sequence id " + std::to_string(h.seq) + ", expected " +
                  std::to_string(expected_seq_));
    }
    size_t total = (in_partial_ ? partial_.payload.size() : 0) + h.length;
    if (total > options_.max_allowed_packet) {
      return Fail("packet of " + std::to_string(total) + " bytes exceeds max_allowed_packet " +
                  std::to_string(options_.max_allowed_packet));
    }
    if (buffer_.size() - pos_ - kHeaderSize < h.length) return State::kNeedMore;
    // Consume one wire packet.
    if (!in_partial_) {
      partial_ = JoinedPayload();
      partial_.first_seq = h.seq;
      in_partial_ = true;
    }
    partial_.payload.append(buffer_, pos_ + kHeaderSize, h.length);
    partial_.last_seq = h.seq;
    partial_.packets++;
    pos_ += kHeaderSize + h.length;
    expected_seq_ = static_cast<uint8_t>(h.seq + 1);
    have_expected_ = true;
    if (h.length < kMaxPayload) {
      *out = std::move(partial_);
      partial_ = JoinedPayload();
      in_partial_ = false;
      if (pos_ == buffer_.size()) {
        buffer_.clear();
        pos_ = 0;
      }
      return State::kReady;
    }
  }
  return State::kNeedMore;
}

}  // namespace shadowproxy::protocol
