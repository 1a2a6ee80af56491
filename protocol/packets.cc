#include "protocol/packets.h"

#include "protocol/packet.h"
#include "protocol/wire.h"

namespace shadowproxy::protocol {

std::string EncodeOk(uint64_t affected_rows, uint64_t last_insert_id, uint16_t status_flags,
                     uint16_t warnings, std::string_view info, bool deprecate_eof_form) {
  std::string out;
  Writer w(&out);
  w.U8(deprecate_eof_form ? kEofHeader : kOkHeader);
  w.LenencInt(affected_rows);
  w.LenencInt(last_insert_id);
  w.U16(status_flags);
  w.U16(warnings);
  if (!info.empty()) w.LenencString(info);
  return out;
}

std::string EncodeErr(uint16_t code, std::string_view sqlstate, std::string_view message) {
  std::string out;
  Writer w(&out);
  w.U8(kErrHeader);
  w.U16(code);
  w.U8('#');
  std::string state(sqlstate.substr(0, 5));
  state.resize(5, '0');
  w.Bytes(state);
  w.Bytes(message);
  return out;
}

std::string EncodeErr(const Status& status) {
  return EncodeErr(status.code(), status.sqlstate(), status.message());
}

std::string EncodeEof(uint16_t warnings, uint16_t status_flags) {
  std::string out;
  Writer w(&out);
  w.U8(kEofHeader);
  w.U16(warnings);
  w.U16(status_flags);
  return out;
}

Result<OkPacket> DecodeOk(std::span<const uint8_t> payload) {
  Reader r(payload);
  uint8_t h = r.U8();
  if (!r.ok() || (h != kOkHeader && h != kEofHeader))
    return Status(errc::kInternal, "not an OK packet");
  OkPacket ok;
  ok.affected_rows = r.LenencInt();
  ok.last_insert_id = r.LenencInt();
  ok.status_flags = r.U16();
  ok.warnings = r.U16();
  if (!r.ok()) return Status(errc::kInternal, "truncated OK packet");
  if (!r.AtEnd()) {
    Reader probe = r;
    std::string_view info = probe.LenencString();
    if (probe.ok()) {
      ok.info = std::string(info);
      r = probe;
      if ((ok.status_flags & 0x4000) && !r.AtEnd()) {
        ok.session_state = std::string(r.LenencString());
        if (!r.ok()) return Status(errc::kInternal, "truncated session state in OK packet");
      }
    } else {
      ok.info = std::string(r.Rest());  // pre-4.1 style string<EOF>
    }
  }
  return ok;
}

Result<ErrPacket> DecodeErr(std::span<const uint8_t> payload) {
  Reader r(payload);
  if (r.U8() != kErrHeader || !r.ok()) return Status(errc::kInternal, "not an ERR packet");
  ErrPacket err;
  err.code = r.U16();
  if (!r.ok()) return Status(errc::kInternal, "truncated ERR packet");
  if (!r.AtEnd() && r.Peek() == '#' && r.remaining() >= 6) {
    r.Skip(1);
    err.sqlstate = std::string(r.Bytes(5));
  } else {
    err.sqlstate = "HY000";
  }
  err.message = std::string(r.Rest());
  return err;
}

Result<EofPacket> DecodeEof(std::span<const uint8_t> payload) {
  if (!IsEof(payload)) return Status(errc::kInternal, "not an EOF packet");
  Reader r(payload);
  r.Skip(1);
  EofPacket eof;
  if (r.remaining() >= 4) {  // pre-4.1 EOF is the single 0xFE byte
    eof.warnings = r.U16();
    eof.status_flags = r.U16();
  }
  return eof;
}

Status ErrToStatus(const ErrPacket& err) { return Status(err.code, err.message, err.sqlstate); }

bool IsErr(std::span<const uint8_t> payload) {
  return !payload.empty() && payload[0] == kErrHeader;
}

bool IsEof(std::span<const uint8_t> payload) {
  return !payload.empty() && payload[0] == kEofHeader && payload.size() < 9;
}

bool IsOk(std::span<const uint8_t> payload, bool deprecate_eof) {
  if (payload.empty()) return false;
  if (payload[0] == kOkHeader) return payload.size() >= 7;
  return deprecate_eof && payload[0] == kEofHeader && payload.size() >= 7 &&
         payload.size() < kMaxPayload;
}

bool IsResultSetEnd(uint8_t first_byte, uint32_t length, bool deprecate_eof) {
  if (first_byte != kEofHeader) return false;
  return deprecate_eof ? length < kMaxPayload : length < 9;
}

}  // namespace shadowproxy::protocol
