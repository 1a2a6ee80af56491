// Generic response packets: OK, ERR, EOF (payloads only, no packet header) and the rules that
// classify a server packet by its first byte and length.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace shadowproxy::protocol {

inline constexpr uint8_t kOkHeader = 0x00;
inline constexpr uint8_t kEofHeader = 0xFE;
inline constexpr uint8_t kErrHeader = 0xFF;
inline constexpr uint8_t kLocalInfileHeader = 0xFB;

// OK payload. deprecate_eof_form=true writes the 0xFE header that ends a result set under
// CLIENT_DEPRECATE_EOF. A non-empty `info` is written as a length-encoded string (what MySQL and
// MariaDB servers send, and what libmysql/connector-c read, with or without CLIENT_SESSION_TRACK).
std::string EncodeOk(uint64_t affected_rows, uint64_t last_insert_id, uint16_t status_flags,
                     uint16_t warnings, std::string_view info = {},
                     bool deprecate_eof_form = false);
// ERR payload (protocol 4.1 form with '#' + 5-char SQLSTATE; sqlstate padded/truncated to 5).
std::string EncodeErr(uint16_t code, std::string_view sqlstate, std::string_view message);
std::string EncodeErr(const Status& status);
// Classic EOF payload (5 bytes).
std::string EncodeEof(uint16_t warnings, uint16_t status_flags);

struct OkPacket {
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t status_flags = 0;
  uint16_t warnings = 0;
  std::string info;
  std::string session_state;  // raw session-state-change bytes (SERVER_SESSION_STATE_CHANGED)
};
struct ErrPacket {
  uint16_t code = 0;
  std::string sqlstate;  // "HY000" when the packet has no '#' marker
  std::string message;
};
struct EofPacket {
  uint16_t warnings = 0;
  uint16_t status_flags = 0;
};

// Decoders accept 0x00 or 0xFE headers for OK and tolerate a missing info field.
Result<OkPacket> DecodeOk(std::span<const uint8_t> payload);
Result<ErrPacket> DecodeErr(std::span<const uint8_t> payload);
Result<EofPacket> DecodeEof(std::span<const uint8_t> payload);
// Convenience: the ERR packet as a Status (code, message, sqlstate).
Status ErrToStatus(const ErrPacket& err);

// Classification by first byte and total payload length:
//  * ERR: 0xFF.
//  * EOF: 0xFE and length < 9 (a row or column count starting with 0xFE is >= 9 bytes).
//  * OK: 0x00 and length >= 7; under CLIENT_DEPRECATE_EOF also 0xFE and length < 0xFFFFFF (the
//    OK that replaces EOF; a text row starting with 0xFE always fills a 16 MiB packet).
bool IsErr(std::span<const uint8_t> payload);
bool IsEof(std::span<const uint8_t> payload);
bool IsOk(std::span<const uint8_t> payload, bool deprecate_eof = false);
// End of a row stream / column list: EOF, or with deprecate_eof the 0xFE-OK.
bool IsResultSetEnd(uint8_t first_byte, uint32_t length, bool deprecate_eof);

inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace shadowproxy::protocol
