// Fuzzes the connection-phase and generic decoders: greeting, HandshakeResponse41,
// COM_CHANGE_USER, AuthSwitchRequest, OK, ERR, EOF. Whatever decodes must re-encode to bytes that
// decode to the same values (Decode(Encode(Decode(x))) == Decode(x)).
#include "fuzz/fuzz_util.h"
#include "protocol/command.h"
#include "protocol/handshake.h"
#include "protocol/packets.h"

using namespace shadowproxy::protocol;
using shadowproxy::fuzz::Input;

namespace {

void CheckGreeting(std::span<const uint8_t> p) {
  auto a = DecodeGreeting(p);
  if (!a.ok()) return;
  std::string bytes = EncodeGreeting(*a);
  auto b = DecodeGreeting(AsBytes(bytes));
  SP_FUZZ_CHECK(b.ok());
  SP_FUZZ_CHECK(b->server_version == a->server_version);
  SP_FUZZ_CHECK(b->connection_id == a->connection_id);
  SP_FUZZ_CHECK(b->capabilities == a->capabilities);
  SP_FUZZ_CHECK(b->charset == a->charset);
  SP_FUZZ_CHECK(b->status_flags == a->status_flags);
  SP_FUZZ_CHECK(b->mariadb_ext_capabilities == a->mariadb_ext_capabilities);
  SP_FUZZ_CHECK(EncodeGreeting(*b) == bytes);
}

void CheckResponse(std::span<const uint8_t> p) {
  IsSslRequest(p);
  auto a = DecodeHandshakeResponse(p);
  if (!a.ok()) return;
  std::string bytes = EncodeHandshakeResponse(*a);
  auto b = DecodeHandshakeResponse(AsBytes(bytes));
  SP_FUZZ_CHECK(b.ok());
  SP_FUZZ_CHECK(b->capabilities == a->capabilities);
  SP_FUZZ_CHECK(b->username == a->username);
  SP_FUZZ_CHECK(b->max_packet == a->max_packet);
  SP_FUZZ_CHECK(b->charset == a->charset);
  SP_FUZZ_CHECK(b->mariadb_ext_capabilities == a->mariadb_ext_capabilities);
  SP_FUZZ_CHECK(b->connect_attrs == a->connect_attrs);
}

void CheckChangeUser(std::span<const uint8_t> p, uint32_t caps) {
  auto a = DecodeChangeUser(p, caps);
  if (!a.ok()) return;
  std::string bytes = EncodeChangeUser(*a, caps);
  auto b = DecodeChangeUser(AsBytes(bytes), caps);
  SP_FUZZ_CHECK(b.ok());
  SP_FUZZ_CHECK(b->username == a->username);
  SP_FUZZ_CHECK(b->charset == a->charset);
}

void CheckGeneric(std::span<const uint8_t> p) {
  IsOk(p, true);
  IsOk(p, false);
  IsEof(p);
  IsErr(p);
  IsAuthMoreData(p);
  if (auto ok = DecodeOk(p); ok.ok()) {
    std::string bytes =
        EncodeOk(ok->affected_rows, ok->last_insert_id, ok->status_flags, ok->warnings, ok->info);
    auto again = DecodeOk(AsBytes(bytes));
    SP_FUZZ_CHECK(again.ok());
    SP_FUZZ_CHECK(again->affected_rows == ok->affected_rows);
    SP_FUZZ_CHECK(again->status_flags == ok->status_flags);
  }
  if (auto err = DecodeErr(p); err.ok()) {
    std::string bytes = EncodeErr(err->code, err->sqlstate, err->message);
    auto again = DecodeErr(AsBytes(bytes));
    SP_FUZZ_CHECK(again.ok());
    SP_FUZZ_CHECK(again->code == err->code);
    SP_FUZZ_CHECK(again->message == err->message);
  }
  DecodeEof(p);
  if (auto sw = DecodeAuthSwitchRequest(p); sw.ok() && sw->plugin.find('\0') == std::string::npos) {
    auto again = DecodeAuthSwitchRequest(AsBytes(EncodeAuthSwitchRequest(*sw)));
    SP_FUZZ_CHECK(again.ok());
    SP_FUZZ_CHECK(again->plugin == sw->plugin);
    SP_FUZZ_CHECK(again->data == sw->data);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  uint8_t which = in.Byte();
  uint32_t caps = which & 0x80 ? in.U32() : 0xFFFFFFFFu;
  std::span<const uint8_t> payload = in.Rest();
  switch (which % 4) {
    case 0:
      CheckGreeting(payload);
      break;
    case 1:
      CheckResponse(payload);
      break;
    case 2:
      CheckChangeUser(payload, caps);
      break;
    default:
      CheckGeneric(payload);
      break;
  }
  return 0;
}
