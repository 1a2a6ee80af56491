// Encoder for the proxy's own text result sets (answers to SHADOW SYNC statements): column
// count, ColumnDefinition41 packets, EOF unless CLIENT_DEPRECATE_EOF, text rows, final EOF or
// 0xFE-OK. Every column is VAR_STRING in utf8mb4 (collation 45, utf8mb4_general_ci: known to
// MariaDB and MySQL clients alike, and able to carry any text the plugins produce).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "protocol/capabilities.h"

namespace shadowproxy::protocol {

inline constexpr uint8_t kTypeVarString = 0xFD;  // MYSQL_TYPE_VAR_STRING
inline constexpr uint16_t kNotNullFlag = 1;      // NOT_NULL_FLAG

using Row = std::vector<std::optional<std::string>>;  // std::nullopt = SQL NULL (0xFB)

struct EncodedResponse {
  std::string bytes;     // complete packets (headers included), ready to send
  uint8_t next_seq = 0;  // sequence id of the packet that would follow
};

// One ColumnDefinition41 payload (catalog "def", empty schema/table, name as both alias and
// original name, utf8mb4, VAR_STRING, column_length = 4 * max_chars). With MariaDB's
// EXTENDED_METADATA negotiated, an empty extended-type-info block follows the names.
std::string EncodeColumnDefinition(std::string_view name, uint32_t max_bytes, uint16_t flags,
                                   bool extended_metadata = false);

// The whole result set. Rows shorter/longer than `columns` are padded with NULL / truncated.
// Columns with no NULL get NOT_NULL_FLAG. `status_flags` go into the final EOF/OK (pass the
// session's SERVER_STATUS_IN_TRANS / AUTOCOMMIT). Rows of 16 MiB or more are split into several
// packets. `first_seq` is usually 1 (the command had sequence id 0). `mariadb_ext_caps` are the
// negotiated MariaDB extended capabilities: CACHE_METADATA adds the "metadata follows" byte after
// the column count, EXTENDED_METADATA the extended-type-info length in each column definition
// (libmariadb clients such as the mariadb CLI negotiate both and reject result sets without them).
EncodedResponse EncodeTextResultSet(const std::vector<std::string>& columns,
                                    const std::vector<Row>& rows, uint32_t capabilities,
                                    uint8_t first_seq,
                                    uint16_t status_flags = SERVER_STATUS_AUTOCOMMIT,
                                    uint16_t warnings = 0, uint32_t mariadb_ext_caps = 0);

// The value of a server's text result set of exactly one column and one row (e.g. the proxy's own
// `SELECT DATABASE() LIMIT 1`), from its payloads in order (headers stripped); std::nullopt for
// NULL. `capabilities` / `mariadb_ext_caps` as negotiated (DEPRECATE_EOF, metadata skipping).
// An ERR, or any other shape, is an error.
Result<std::optional<std::string>> DecodeSingleValue(const std::vector<std::string>& payloads,
                                                     uint32_t capabilities,
                                                     uint32_t mariadb_ext_caps = 0);

// A single OK / ERR packet with header (helpers for the proxy's own answers).
EncodedResponse EncodeOkResponse(uint8_t seq, uint64_t affected_rows, uint16_t status_flags,
                                 uint16_t warnings = 0, std::string_view info = {});
EncodedResponse EncodeErrResponse(uint8_t seq, uint16_t code, std::string_view sqlstate,
                                  std::string_view message);

}  // namespace shadowproxy::protocol
