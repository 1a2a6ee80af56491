#include "protocol/handshake.h"

#include <algorithm>

#include "protocol/capabilities.h"
#include "protocol/wire.h"

namespace shadowproxy::protocol {
namespace {

Status Malformed(std::string_view what) {
  return Status(errc::kInternal, "malformed " + std::string(what));
}

}  // namespace

Result<Greeting> DecodeGreeting(std::span<const uint8_t> payload) {
  Reader r(payload);
  Greeting g;
  g.protocol_version = r.U8();
  if (!r.ok()) return Malformed("greeting");
  if (g.protocol_version != kProtocolVersion10) {
    return Status(errc::kInternal, "unsupported protocol version " +
                                       std::to_string(g.protocol_version) +
                                       (g.protocol_version == 0xFF ? " (ERR packet)" : ""));
  }
  g.server_version = std::string(r.NulString());
  g.connection_id = r.U32();
  std::string_view part1 = r.Bytes(8);
  r.U8();  // filler
  g.capabilities = r.U16();
  if (!r.ok()) return Malformed("greeting");
  g.auth_plugin_data = std::string(part1);
  if (r.AtEnd()) {
    g.short_form = true;
    return g;
  }
  g.charset = r.U8();
  g.status_flags = r.U16();
  g.capabilities |= uint32_t{r.U16()} << 16;
  uint8_t data_len = r.U8();
  r.Skip(6);
  g.mariadb_ext_capabilities = r.U32();
  if (!r.ok()) return Malformed("greeting");
  if (g.capabilities & CLIENT_SECURE_CONNECTION) {
    size_t part2_len = 13;
    if ((g.capabilities & CLIENT_PLUGIN_AUTH) && data_len > 21) part2_len = data_len - 8;
    std::string_view part2 = r.Bytes(part2_len);
    if (!r.ok()) return Malformed("greeting");
    size_t keep = part2.size();
    if ((g.capabilities & CLIENT_PLUGIN_AUTH) && data_len > 8) {
      keep = std::min<size_t>(keep, data_len - 8 - 1);
    } else if (keep > 0 && part2[keep - 1] == '\0') {
      --keep;
    }
    g.auth_plugin_data.append(part2.substr(0, keep));
  }
  if (g.capabilities & CLIENT_PLUGIN_AUTH) g.auth_plugin_name = std::string(r.NulOrEofString());
  if (!r.ok()) return Malformed("greeting");
  return g;
}

std::string EncodeGreeting(const Greeting& g) {
  std::string out;
  Writer w(&out);
  w.U8(g.protocol_version);
  w.NulString(g.server_version);
  w.U32(g.connection_id);
  std::string part1 = g.auth_plugin_data.substr(0, 8);
  part1.resize(8, '\0');
  w.Bytes(part1);
  w.U8(0);
  w.U16(static_cast<uint16_t>(g.capabilities & 0xFFFF));
  if (g.short_form) return out;
  w.U8(g.charset);
  w.U16(g.status_flags);
  w.U16(static_cast<uint16_t>(g.capabilities >> 16));
  bool plugin_auth = g.capabilities & CLIENT_PLUGIN_AUTH;
  w.U8(plugin_auth ? static_cast<uint8_t>(std::min<size_t>(g.auth_plugin_data.size() + 1, 255))
                   : 0);
  w.Zeros(6);
  w.U32(g.mariadb_ext_capabilities);
  if (g.capabilities & CLIENT_SECURE_CONNECTION) {
    std::string part2 = g.auth_plugin_data.size() > 8 ? g.auth_plugin_data.substr(8) : "";
    part2.push_back('\0');
    if (part2.size() < 13) part2.resize(13, '\0');
    w.Bytes(part2);
  }
  if (plugin_auth) w.NulString(g.auth_plugin_name);
  return out;
}

Result<HandshakeResponse> DecodeHandshakeResponse(std::span<const uint8_t> payload) {
  Reader r(payload);
  HandshakeResponse h;
  h.capabilities = r.U32();
  h.max_packet = r.U32();
  h.charset = r.U8();
  r.Skip(19);
  h.mariadb_ext_capabilities = r.U32();
  if (!r.ok()) return Malformed("handshake response");
  if (!(h.capabilities & CLIENT_PROTOCOL_41)) {
    return Status(errc::kInternal, "pre-4.1 handshake response not supported");
  }
  h.username = std::string(r.NulString());
  if (h.capabilities & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    h.auth_response = std::string(r.LenencString());
  } else if (h.capabilities & CLIENT_SECURE_CONNECTION) {
    uint8_t n = r.U8();
    h.auth_response = std::string(r.Bytes(n));
  } else {
    h.auth_response = std::string(r.NulOrEofString());
  }
  if (!r.ok()) return Malformed("handshake response");
  if ((h.capabilities & CLIENT_CONNECT_WITH_DB) && !r.AtEnd()) {
    h.database = std::string(r.NulOrEofString());
  }
  if ((h.capabilities & CLIENT_PLUGIN_AUTH) && !r.AtEnd()) {
    h.auth_plugin_name = std::string(r.NulOrEofString());
  }
  if ((h.capabilities & CLIENT_CONNECT_ATTRS) && !r.AtEnd()) {
    h.connect_attrs = std::string(r.LenencString());
  }
  if ((h.capabilities & CLIENT_ZSTD_COMPRESSION_ALGORITHM) && !r.AtEnd()) h.zstd_level = r.U8();
  if (!r.ok()) return Malformed("handshake response");
  return h;
}

std::string EncodeHandshakeResponse(const HandshakeResponse& h) {
  std::string out;
  Writer w(&out);
  w.U32(h.capabilities);
  w.U32(h.max_packet);
  w.U8(h.charset);
  w.Zeros(19);
  w.U32(h.mariadb_ext_capabilities);
  w.NulString(h.username);
  if (h.capabilities & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    w.LenencString(h.auth_response);
  } else if (h.capabilities & CLIENT_SECURE_CONNECTION) {
    std::string_view a = std::string_view(h.auth_response).substr(0, 255);
    w.U8(static_cast<uint8_t>(a.size()));
    w.Bytes(a);
  } else {
    w.NulString(h.auth_response);
  }
  if (h.capabilities & CLIENT_CONNECT_WITH_DB) w.NulString(h.database);
  if (h.capabilities & CLIENT_PLUGIN_AUTH) w.NulString(h.auth_plugin_name);
  if (h.capabilities & CLIENT_CONNECT_ATTRS) w.LenencString(h.connect_attrs);
  if ((h.capabilities & CLIENT_ZSTD_COMPRESSION_ALGORITHM) && h.zstd_level != 0) w.U8(h.zstd_level);
  return out;
}

std::string EncodeSslRequest(const HandshakeResponse& r) {
  HandshakeResponse head;
  head.capabilities = r.capabilities | CLIENT_SSL;
  head.max_packet = r.max_packet;
  head.charset = r.charset;
  head.mariadb_ext_capabilities = r.mariadb_ext_capabilities;
  return EncodeHandshakeResponse(head).substr(0, 32);
}

bool IsSslRequest(std::span<const uint8_t> payload) {
  if (payload.size() != 32) return false;
  Reader r(payload);
  uint32_t caps = r.U32();
  return (caps & CLIENT_SSL) != 0;
}

Result<AuthSwitchRequest> DecodeAuthSwitchRequest(std::span<const uint8_t> payload) {
  Reader r(payload);
  if (r.U8() != kAuthSwitchHeader || !r.ok()) return Malformed("auth switch request");
  AuthSwitchRequest a;
  if (r.AtEnd()) return a;  // old 1-byte switch to mysql_old_password: plugin left empty
  a.plugin = std::string(r.NulOrEofString());
  a.data = std::string(r.Rest());
  if (!r.ok()) return Malformed("auth switch request");
  return a;
}

std::string EncodeAuthSwitchRequest(const AuthSwitchRequest& a) {
  std::string out;
  Writer w(&out);
  w.U8(kAuthSwitchHeader);
  w.NulString(a.plugin);
  w.Bytes(a.data);
  return out;
}

bool IsAuthSwitchRequest(std::span<const uint8_t> payload) {
  return !payload.empty() && payload[0] == kAuthSwitchHeader;
}

bool IsAuthMoreData(std::span<const uint8_t> payload) {
  return !payload.empty() && payload[0] == kAuthMoreDataHeader;
}

std::string EncodeAuthMoreData(std::string_view data) {
  std::string out(1, static_cast<char>(kAuthMoreDataHeader));
  out.append(data);
  return out;
}

std::optional<std::string> ConnectAttribute(std::string_view raw, std::string_view key) {
  Reader r(raw);
  while (r.ok() && !r.AtEnd()) {
    std::string_view k = r.LenencString();
    std::string_view v = r.LenencString();
    if (!r.ok()) return std::nullopt;
    if (k == key) return std::string(v);
  }
  return std::nullopt;
}

}  // namespace shadowproxy::protocol
