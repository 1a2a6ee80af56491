#include "protocol/command.h"

#include "protocol/capabilities.h"
#include "protocol/wire.h"

namespace shadowproxy::protocol {

std::string_view CommandName(uint8_t command) {
  static constexpr std::string_view kNames[] = {"sleep",
                                                "quit",
                                                "init_db",
                                                "query",
                                                "field_list",
                                                "create_db",
                                                "drop_db",
                                                "refresh",
                                                "shutdown",
                                                "statistics",
                                                "process_info",
                                                "connect",
                                                "process_kill",
                                                "debug",
                                                "ping",
                                                "time",
                                                "delayed_insert",
                                                "change_user",
                                                "binlog_dump",
                                                "table_dump",
                                                "connect_out",
                                                "register_slave",
                                                "stmt_prepare",
                                                "stmt_execute",
                                                "stmt_send_long_data",
                                                "stmt_close",
                                                "stmt_reset",
                                                "set_option",
                                                "stmt_fetch",
                                                "daemon",
                                                "binlog_dump_gtid",
                                                "reset_connection"};
  if (command < sizeof(kNames) / sizeof(kNames[0])) return kNames[command];
  if (command == COM_STMT_BULK_EXECUTE) return "stmt_bulk_execute";
  return "unknown";
}

bool ExpectsResponse(uint8_t command) {
  return command != COM_QUIT && command != COM_STMT_CLOSE && command != COM_STMT_SEND_LONG_DATA;
}

Result<ChangeUser> DecodeChangeUser(std::span<const uint8_t> payload, uint32_t caps) {
  Reader r(payload);
  if (r.U8() != COM_CHANGE_USER || !r.ok()) {
    return Status(errc::kInternal, "not a COM_CHANGE_USER packet");
  }
  ChangeUser c;
  c.username = std::string(r.NulString());
  if (caps & CLIENT_SECURE_CONNECTION) {
    uint8_t n = r.U8();
    c.auth_response = std::string(r.Bytes(n));
  } else {
    c.auth_response = std::string(r.NulString());
  }
  if (!r.ok()) return Status(errc::kInternal, "malformed COM_CHANGE_USER");
  if (!r.AtEnd()) c.database = std::string(r.NulOrEofString());
  if (r.remaining() >= 2) c.charset = r.U16();
  if ((caps & CLIENT_PLUGIN_AUTH) && !r.AtEnd())
    c.auth_plugin_name = std::string(r.NulOrEofString());
  if ((caps & CLIENT_CONNECT_ATTRS) && !r.AtEnd()) c.connect_attrs = std::string(r.LenencString());
  if (!r.ok()) return Status(errc::kInternal, "malformed COM_CHANGE_USER");
  return c;
}

std::string EncodeChangeUser(const ChangeUser& c, uint32_t caps) {
  std::string out;
  Writer w(&out);
  w.U8(COM_CHANGE_USER);
  w.NulString(c.username);
  if (caps & CLIENT_SECURE_CONNECTION) {
    std::string_view a = std::string_view(c.auth_response).substr(0, 255);
    w.U8(static_cast<uint8_t>(a.size()));
    w.Bytes(a);
  } else {
    w.NulString(c.auth_response);
  }
  w.NulString(c.database);
  w.U16(c.charset);
  if (caps & CLIENT_PLUGIN_AUTH) w.NulString(c.auth_plugin_name);
  if (caps & CLIENT_CONNECT_ATTRS) w.LenencString(c.connect_attrs);
  return out;
}

Result<std::string_view> QueryText(std::span<const uint8_t> payload, bool query_attributes) {
  Reader r(payload);
  if (r.U8() != COM_QUERY || !r.ok()) return Status(errc::kInternal, "not a COM_QUERY packet");
  if (query_attributes) {
    uint64_t count = r.LenencInt();
    r.LenencInt();  // parameter set count, always 1
    if (!r.ok()) return Status(errc::kInternal, "malformed COM_QUERY attributes");
    if (count != 0) return Status(errc::kInternal, "COM_QUERY with query attributes not parsed");
  }
  return r.Rest();
}

std::string EncodeQuery(std::string_view text, bool query_attributes) {
  std::string out(1, static_cast<char>(COM_QUERY));
  if (query_attributes) out += std::string_view("\x00\x01", 2);
  out += text;
  return out;
}

bool IsShadowSyncText(std::string_view text, const sql::Dialect& dialect, bool complete) {
  sql::Lexer lexer(text, dialect);
  const sql::Token shadow = lexer.Next();
  if (shadow.kind != sql::TokenKind::kWord || !sql::EqualsKeyword(lexer.Text(shadow), "SHADOW")) {
    return false;
  }
  const sql::Token sync = lexer.Next();
  if (sync.kind != sql::TokenKind::kWord || !sql::EqualsKeyword(lexer.Text(sync), "SYNC")) {
    return false;
  }
  return complete || sync.end < text.size();
}

bool IsShadowSyncQuery(std::span<const uint8_t> payload, bool query_attributes,
                       const sql::Dialect& dialect, bool complete) {
  if (payload.empty() || payload[0] != COM_QUERY) return false;
  Result<std::string_view> text = QueryText(payload, query_attributes);
  return text.ok() && IsShadowSyncText(*text, dialect, complete);
}

}  // namespace shadowproxy::protocol
