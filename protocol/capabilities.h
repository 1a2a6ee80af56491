// Capability flags (CLIENT_*), MariaDB extended capabilities (MARIADB_CLIENT_*) and server
// status flags (SERVER_*) of the MySQL/MariaDB protocol, as named in the server sources.
#pragma once

#include <cstdint>

namespace shadowproxy::protocol {

// Lower 32 bits: the classic capability word (greeting: lower 16 + upper 16 bits;
// HandshakeResponse41: 4 bytes).
inline constexpr uint32_t CLIENT_LONG_PASSWORD = 1u << 0;
// MariaDB re-used bit 0: set by MySQL servers/clients, clear on MariaDB 10.2+ which then puts its
// extended capabilities (below) into the greeting's reserved filler. CLIENT_MYSQL=1 means "not
// MariaDB".
inline constexpr uint32_t CLIENT_MYSQL = 1u << 0;
inline constexpr uint32_t CLIENT_FOUND_ROWS = 1u << 1;
inline constexpr uint32_t CLIENT_LONG_FLAG = 1u << 2;
inline constexpr uint32_t CLIENT_CONNECT_WITH_DB = 1u << 3;
inline constexpr uint32_t CLIENT_NO_SCHEMA = 1u << 4;
inline constexpr uint32_t CLIENT_COMPRESS = 1u << 5;
inline constexpr uint32_t CLIENT_ODBC = 1u << 6;
inline constexpr uint32_t CLIENT_LOCAL_FILES = 1u << 7;
inline constexpr uint32_t CLIENT_IGNORE_SPACE = 1u << 8;
inline constexpr uint32_t CLIENT_PROTOCOL_41 = 1u << 9;
inline constexpr uint32_t CLIENT_INTERACTIVE = 1u << 10;
inline constexpr uint32_t CLIENT_SSL = 1u << 11;
inline constexpr uint32_t CLIENT_IGNORE_SIGPIPE = 1u << 12;
inline constexpr uint32_t CLIENT_TRANSACTIONS = 1u << 13;
inline constexpr uint32_t CLIENT_RESERVED = 1u << 14;
inline constexpr uint32_t CLIENT_SECURE_CONNECTION = 1u << 15;  // a.k.a. CLIENT_RESERVED2
inline constexpr uint32_t CLIENT_MULTI_STATEMENTS = 1u << 16;
inline constexpr uint32_t CLIENT_MULTI_RESULTS = 1u << 17;
inline constexpr uint32_t CLIENT_PS_MULTI_RESULTS = 1u << 18;
inline constexpr uint32_t CLIENT_PLUGIN_AUTH = 1u << 19;
inline constexpr uint32_t CLIENT_CONNECT_ATTRS = 1u << 20;
inline constexpr uint32_t CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 1u << 21;
inline constexpr uint32_t CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS = 1u << 22;
inline constexpr uint32_t CLIENT_SESSION_TRACK = 1u << 23;
inline constexpr uint32_t CLIENT_DEPRECATE_EOF = 1u << 24;
inline constexpr uint32_t CLIENT_OPTIONAL_RESULTSET_METADATA = 1u << 25;  // MySQL 8
inline constexpr uint32_t CLIENT_ZSTD_COMPRESSION_ALGORITHM = 1u << 26;   // MySQL 8
inline constexpr uint32_t CLIENT_QUERY_ATTRIBUTES = 1u << 27;             // MySQL 8
inline constexpr uint32_t CLIENT_MULTI_FACTOR_AUTHENTICATION = 1u << 28;  // MySQL 8
inline constexpr uint32_t CLIENT_PROGRESS_OBSOLETE = 1u << 29;            // MariaDB
inline constexpr uint32_t CLIENT_SSL_VERIFY_SERVER_CERT = 1u << 30;
inline constexpr uint32_t CLIENT_REMEMBER_OPTIONS = 1u << 31;

// MariaDB extended capabilities: the "upper 32 bits" of MariaDB's 64-bit capability word. Sent in
// the last 4 bytes of the greeting's 10-byte filler and of the HandshakeResponse's 23-byte filler,
// only when CLIENT_MYSQL is clear on both sides. Values here are the 32-bit words as sent.
inline constexpr uint32_t MARIADB_CLIENT_PROGRESS = 1u << 0;
inline constexpr uint32_t MARIADB_CLIENT_COM_MULTI = 1u << 1;
inline constexpr uint32_t MARIADB_CLIENT_STMT_BULK_OPERATIONS = 1u << 2;
inline constexpr uint32_t MARIADB_CLIENT_EXTENDED_METADATA = 1u << 3;
inline constexpr uint32_t MARIADB_CLIENT_CACHE_METADATA = 1u << 4;
inline constexpr uint32_t MARIADB_CLIENT_BULK_UNIT_RESULTS = 1u << 5;

// Server status flags (OK / EOF packets, greeting).
inline constexpr uint16_t SERVER_STATUS_IN_TRANS = 1u << 0;
inline constexpr uint16_t SERVER_STATUS_AUTOCOMMIT = 1u << 1;
inline constexpr uint16_t SERVER_MORE_RESULTS_EXISTS = 1u << 3;
inline constexpr uint16_t SERVER_QUERY_NO_GOOD_INDEX_USED = 1u << 4;
inline constexpr uint16_t SERVER_QUERY_NO_INDEX_USED = 1u << 5;
inline constexpr uint16_t SERVER_STATUS_CURSOR_EXISTS = 1u << 6;
inline constexpr uint16_t SERVER_STATUS_LAST_ROW_SENT = 1u << 7;
inline constexpr uint16_t SERVER_STATUS_DB_DROPPED = 1u << 8;
inline constexpr uint16_t SERVER_STATUS_NO_BACKSLASH_ESCAPES = 1u << 9;
inline constexpr uint16_t SERVER_STATUS_METADATA_CHANGED = 1u << 10;
inline constexpr uint16_t SERVER_QUERY_WAS_SLOW = 1u << 11;
inline constexpr uint16_t SERVER_PS_OUT_PARAMS = 1u << 12;
inline constexpr uint16_t SERVER_STATUS_IN_TRANS_READONLY = 1u << 13;
inline constexpr uint16_t SERVER_SESSION_STATE_CHANGED = 1u << 14;

// Character sets (collation ids) used by the proxy's own answers.
inline constexpr uint8_t kCharsetUtf8mb4GeneralCi = 45;
inline constexpr uint8_t kCharsetUtf8GeneralCi = 33;
inline constexpr uint8_t kCharsetBinary = 63;

}  // namespace shadowproxy::protocol
