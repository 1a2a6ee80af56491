// Command-phase requests: command byte constants, their metric names, which ones get a response,
// COM_CHANGE_USER decoding and the SHADOW SYNC interception test on COM_QUERY payloads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/sql_lexer.h"
#include "base/status.h"

namespace shadowproxy::protocol {

inline constexpr uint8_t COM_SLEEP = 0x00;
inline constexpr uint8_t COM_QUIT = 0x01;
inline constexpr uint8_t COM_INIT_DB = 0x02;
inline constexpr uint8_t COM_QUERY = 0x03;
inline constexpr uint8_t COM_FIELD_LIST = 0x04;
inline constexpr uint8_t COM_CREATE_DB = 0x05;
inline constexpr uint8_t COM_DROP_DB = 0x06;
inline constexpr uint8_t COM_REFRESH = 0x07;
inline constexpr uint8_t COM_SHUTDOWN = 0x08;
inline constexpr uint8_t COM_STATISTICS = 0x09;
inline constexpr uint8_t COM_PROCESS_INFO = 0x0A;
inline constexpr uint8_t COM_CONNECT = 0x0B;
inline constexpr uint8_t COM_PROCESS_KILL = 0x0C;
inline constexpr uint8_t COM_DEBUG = 0x0D;
inline constexpr uint8_t COM_PING = 0x0E;
inline constexpr uint8_t COM_TIME = 0x0F;
inline constexpr uint8_t COM_DELAYED_INSERT = 0x10;
inline constexpr uint8_t COM_CHANGE_USER = 0x11;
inline constexpr uint8_t COM_BINLOG_DUMP = 0x12;
inline constexpr uint8_t COM_TABLE_DUMP = 0x13;
inline constexpr uint8_t COM_CONNECT_OUT = 0x14;
inline constexpr uint8_t COM_REGISTER_SLAVE = 0x15;
inline constexpr uint8_t COM_STMT_PREPARE = 0x16;
inline constexpr uint8_t COM_STMT_EXECUTE = 0x17;
inline constexpr uint8_t COM_STMT_SEND_LONG_DATA = 0x18;
inline constexpr uint8_t COM_STMT_CLOSE = 0x19;
inline constexpr uint8_t COM_STMT_RESET = 0x1A;
inline constexpr uint8_t COM_SET_OPTION = 0x1B;
inline constexpr uint8_t COM_STMT_FETCH = 0x1C;
inline constexpr uint8_t COM_DAEMON = 0x1D;
inline constexpr uint8_t COM_BINLOG_DUMP_GTID = 0x1E;
inline constexpr uint8_t COM_RESET_CONNECTION = 0x1F;
inline constexpr uint8_t COM_STMT_BULK_EXECUTE = 0xFA;  // MariaDB

// Lower-case snake name for metrics labels ("query", "stmt_execute", ...); "unknown" otherwise.
// Returns a static string.
std::string_view CommandName(uint8_t command);

// False for commands the server never answers: COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA.
bool ExpectsResponse(uint8_t command);

// COM_CHANGE_USER payload (including the 0x11 byte). `client_capabilities` are the ones
// negotiated at connect (they decide the auth-response form and the optional fields).
struct ChangeUser {
  std::string username;
  std::string auth_response;
  std::string database;
  uint16_t charset = 0;  // 0 when absent
  std::string auth_plugin_name;
  std::string connect_attrs;  // raw bytes after the lenenc total length
};
Result<ChangeUser> DecodeChangeUser(std::span<const uint8_t> payload, uint32_t client_capabilities);
std::string EncodeChangeUser(const ChangeUser& c, uint32_t client_capabilities);

// The SQL text of a COM_QUERY payload (including the 0x03 byte). With CLIENT_QUERY_ATTRIBUTES
// negotiated the text follows the parameter count / set count; payloads that carry actual
// attributes (count > 0) are not parsed and give an error.
Result<std::string_view> QueryText(std::span<const uint8_t> payload, bool query_attributes = false);
// A COM_QUERY payload for `text`; with query_attributes (CLIENT_QUERY_ATTRIBUTES negotiated) it
// carries an empty attribute list (parameter count 0, parameter set count 1). QueryText's inverse.
std::string EncodeQuery(std::string_view text, bool query_attributes);

// True iff `payload` is a COM_QUERY whose text, as `dialect`'s server reads it (base/sql_lexer.h:
// white space, `-- `, `#` and `/* */` comments, version comments this server skips; the markers
// of the ones it runs vanish and their content is SQL), starts with the words SHADOW and SYNC
// (case-insensitive). Lexes two words and stops: nothing past SYNC is looked at. So
// `/*!99999 DROP TABLE t */ SHADOW SYNC ...` is intercepted (the server skips that comment) and
// `/*!50000 DROP TABLE t */ SHADOW SYNC ...` is not (the server would run the DROP first): the
// proxy and the server always read the same first statement.
// `complete` false: the text is only the first bytes of the query, so a SYNC that ends exactly
// at its end may go on (SYNCHRONIZE) and is not taken.
bool IsShadowSyncQuery(std::span<const uint8_t> payload, bool query_attributes = false,
                       const sql::Dialect& dialect = {}, bool complete = true);
// Same test on SQL text alone.
bool IsShadowSyncText(std::string_view text, const sql::Dialect& dialect = {},
                      bool complete = true);

}  // namespace shadowproxy::protocol
