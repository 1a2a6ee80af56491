// Connection-phase packets: the server greeting (HandshakeV10), the client's HandshakeResponse41
// and SSLRequest, AuthSwitchRequest and AuthMoreData. Payloads only (no packet headers).
// Decoders never throw and never read out of bounds; encoders produce what the decoders accept.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace shadowproxy::protocol {

inline constexpr uint8_t kProtocolVersion10 = 10;
inline constexpr uint8_t kAuthSwitchHeader = 0xFE;
inline constexpr uint8_t kAuthMoreDataHeader = 0x01;
inline constexpr std::string_view kNativePasswordPlugin = "mysql_native_password";
inline constexpr std::string_view kCachingSha2Plugin = "caching_sha2_password";

// HandshakeV10. Round-trips real MariaDB 10.11 and MySQL 8 greetings byte-exactly.
struct Greeting {
  uint8_t protocol_version = kProtocolVersion10;
  std::string server_version;
  uint32_t connection_id = 0;
  // Full scramble without the trailing NUL the server appends (usually 20 bytes).
  std::string auth_plugin_data;
  uint32_t capabilities = 0;  // lower 16 | upper 16 << 16
  uint8_t charset = 0;
  uint16_t status_flags = 0;
  std::string auth_plugin_name;
  // MariaDB: the last 4 bytes of the 10-byte reserved filler (only when CLIENT_MYSQL is clear).
  uint32_t mariadb_ext_capabilities = 0;
  // Old (pre-4.1) greetings end right after the lower capability word; such a greeting
  // re-encodes in that short form.
  bool short_form = false;
};

Result<Greeting> DecodeGreeting(std::span<const uint8_t> payload);
std::string EncodeGreeting(const Greeting& g);

// HandshakeResponse41 (the client's login packet). Protocol 4.1 only (CLIENT_PROTOCOL_41 must be
// set; older forms are rejected).
struct HandshakeResponse {
  uint32_t capabilities = 0;
  uint32_t max_packet = 0;
  uint8_t charset = 0;
  std::string username;
  // Written as lenenc with CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, 1-byte length with
  // CLIENT_SECURE_CONNECTION, NUL-terminated otherwise.
  std::string auth_response;
  std::string database;                   // only with CLIENT_CONNECT_WITH_DB
  std::string auth_plugin_name;           // only with CLIENT_PLUGIN_AUTH
  std::string connect_attrs;              // raw attribute bytes after the lenenc total length
  uint32_t mariadb_ext_capabilities = 0;  // last 4 bytes of the 23-byte filler (MariaDB clients)
  // MySQL 8 CLIENT_ZSTD_COMPRESSION_ALGORITHM: one level byte at the end (0 = absent).
  uint8_t zstd_level = 0;
};

// Lenient like the servers: optional fields missing at the very end of the payload (database,
// plugin name, attributes) are treated as empty.
Result<HandshakeResponse> DecodeHandshakeResponse(std::span<const uint8_t> payload);
std::string EncodeHandshakeResponse(const HandshakeResponse& r);

// The value of connect attribute `key` in HandshakeResponse::connect_attrs (lenenc key, lenenc
// value pairs); nullopt when absent or the bytes are malformed.
std::optional<std::string> ConnectAttribute(std::string_view raw, std::string_view key);

// The 32-byte SSLRequest: the first 32 bytes of a HandshakeResponse41 with CLIENT_SSL set and
// nothing after them.
bool IsSslRequest(std::span<const uint8_t> payload);
// The SSLRequest a client with the login `r` sends first (its capabilities | CLIENT_SSL).
std::string EncodeSslRequest(const HandshakeResponse& r);

// AuthSwitchRequest (0xFE, NUL-terminated plugin name, plugin data to the end). `data` is kept
// raw: servers send the 20-byte scramble followed by a NUL for mysql_native_password, so pass
// scramble + '\0' when encoding one.
struct AuthSwitchRequest {
  std::string plugin;
  std::string data;
};
Result<AuthSwitchRequest> DecodeAuthSwitchRequest(std::span<const uint8_t> payload);
std::string EncodeAuthSwitchRequest(const AuthSwitchRequest& r);
// A 0xFE packet in the auth phase (both AuthSwitchRequest and the old 1-byte switch).
bool IsAuthSwitchRequest(std::span<const uint8_t> payload);
// AuthMoreData (0x01 + plugin data; caching_sha2_password's fast-auth result, RSA key, ...).
bool IsAuthMoreData(std::span<const uint8_t> payload);
std::string EncodeAuthMoreData(std::string_view data);

}  // namespace shadowproxy::protocol
