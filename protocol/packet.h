// MySQL packet framing: 3-byte little-endian length + 1-byte sequence id (no I/O here).
// AppendPacket splits a logical payload into wire packets; PacketJoiner reassembles logical
// payloads from a byte stream fed in arbitrary chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace shadowproxy::protocol {

inline constexpr size_t kHeaderSize = 4;
inline constexpr uint32_t kMaxPayload =
    0xFFFFFF;  // a payload this long continues in the next packet

struct PacketHeader {
  uint32_t length = 0;
  uint8_t seq = 0;
};

// Reads a header from at least kHeaderSize bytes.
PacketHeader DecodeHeader(const uint8_t* p);
void EncodeHeader(const PacketHeader& h, uint8_t* out);

// Appends `payload` to *out as one or more packets starting with sequence id `seq`. Payloads of
// kMaxPayload bytes or more are split into kMaxPayload-sized packets; when the length is an exact
// multiple of kMaxPayload an empty trailer packet follows. Returns the next sequence id.
uint8_t AppendPacket(std::string* out, uint8_t seq, std::string_view payload);
// The packets of one payload starting at `seq` (AppendPacket into a new string).
std::string FramePacket(uint8_t seq, std::string_view payload);
inline std::string FramePacket(uint8_t seq, std::span<const uint8_t> payload) {
  return FramePacket(
      seq, std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
}

// One logical payload reassembled by PacketJoiner.
struct JoinedPayload {
  std::string payload;
  uint8_t first_seq = 0;
  uint8_t last_seq = 0;  // the next packet of the conversation should carry last_seq + 1
  uint32_t packets = 0;  // wire packets this payload used (1 unless >= 16 MiB)
};

struct JoinerOptions {
  // Logical payloads longer than this are an error (reported as soon as the header says so).
  size_t max_allowed_packet = 1u << 30;
  // When true, every packet's sequence id must be the previous one + 1 (mod 256). The first
  // packet is free unless ExpectSequence() was called.
  bool check_sequence = false;
};

// Incremental reassembler: Feed() any chunks of bytes, then call Next() until it returns
// kNeedMore. After kError the joiner stays in error (error() says why). Not thread-safe.
class PacketJoiner {
 public:
  enum class State { kNeedMore, kReady, kError };

  PacketJoiner() = default;
  explicit PacketJoiner(JoinerOptions options) : options_(options) {}

  void Feed(std::span<const uint8_t> bytes);
  void Feed(std::string_view bytes) {
    Feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  // Extracts the next complete logical payload into *out.
  State Next(JoinedPayload* out);
  // The next packet must carry `seq` (only checked with check_sequence).
  void ExpectSequence(uint8_t seq) {
    expected_seq_ = seq;
    have_expected_ = true;
  }
  const std::string& error() const { return error_; }
  // Bytes fed but not yet returned as payloads.
  size_t buffered() const { return buffer_.size() - pos_; }

 private:
  State Fail(std::string message);

  JoinerOptions options_;
  std::string buffer_;
  size_t pos_ = 0;
  // The logical payload being assembled from packets already consumed from buffer_.
  JoinedPayload partial_;
  bool in_partial_ = false;
  uint8_t expected_seq_ = 0;
  bool have_expected_ = false;
  std::string error_;
};

}  // namespace shadowproxy::protocol
