#include "protocol/resultset.h"

#include <algorithm>

#include "protocol/packet.h"
#include "protocol/packets.h"
#include "protocol/wire.h"

namespace shadowproxy::protocol {

std::string EncodeColumnDefinition(std::string_view name, uint32_t max_bytes, uint16_t flags,
                                   bool extended_metadata) {
  std::string out;
  Writer w(&out);
  w.LenencString("def");
  w.LenencString("");  // schema
  w.LenencString("");  // table alias
  w.LenencString("");  // table
  w.LenencString(name);
  w.LenencString(name);
  if (extended_metadata) w.LenencInt(0);  // no extended type info
  w.LenencInt(0x0C);                      // length of the fixed fields
  w.U16(kCharsetUtf8mb4GeneralCi);
  uint64_t length = uint64_t{std::max<uint32_t>(max_bytes, 1)} * 4;
  w.U32(static_cast<uint32_t>(std::min<uint64_t>(length, 0xFFFFFFFFu)));
  w.U8(kTypeVarString);
  w.U16(flags);
  w.U8(0);   // decimals
  w.U16(0);  // filler
  return out;
}

EncodedResponse EncodeTextResultSet(const std::vector<std::string>& columns,
                                    const std::vector<Row>& rows, uint32_t capabilities,
                                    uint8_t first_seq, uint16_t status_flags, uint16_t warnings,
                                    uint32_t mariadb_ext_caps) {
  const bool deprecate_eof = (capabilities & CLIENT_DEPRECATE_EOF) != 0;
  const bool extended_metadata = (mariadb_ext_caps & MARIADB_CLIENT_EXTENDED_METADATA) != 0;
  const bool cache_metadata = (mariadb_ext_caps & MARIADB_CLIENT_CACHE_METADATA) != 0;
  const size_t ncols = columns.size();
  std::vector<uint32_t> widths(ncols, 0);
  std::vector<bool> nullable(ncols, false);
  for (size_t c = 0; c < ncols; ++c) {
    widths[c] = static_cast<uint32_t>(std::min<size_t>(columns[c].size(), 0xFFFFFFFFu));
  }
  for (const Row& row : rows) {
    for (size_t c = 0; c < ncols; ++c) {
      if (c >= row.size() || !row[c]) {
        nullable[c] = true;
      } else {
        widths[c] = std::max(widths[c],
                             static_cast<uint32_t>(std::min<size_t>(row[c]->size(), 0xFFFFFFFFu)));
      }
    }
  }
  EncodedResponse r;
  uint8_t seq = first_seq;
  std::string payload;
  Writer w(&payload);
  w.LenencInt(ncols);
  if (cache_metadata) w.U8(1);  // "metadata follows": we never let clients cache ours
  seq = AppendPacket(&r.bytes, seq, payload);
  for (size_t c = 0; c < ncols; ++c) {
    seq = AppendPacket(&r.bytes, seq,
                       EncodeColumnDefinition(columns[c], widths[c], nullable[c] ? 0 : kNotNullFlag,
                                              extended_metadata));
  }
  if (!deprecate_eof) seq = AppendPacket(&r.bytes, seq, EncodeEof(warnings, status_flags));
  for (const Row& row : rows) {
    payload.clear();
    for (size_t c = 0; c < ncols; ++c) {
      if (c >= row.size() || !row[c]) {
        w.U8(0xFB);
      } else {
        w.LenencString(*row[c]);
      }
    }
    seq = AppendPacket(&r.bytes, seq, payload);
  }
  seq = AppendPacket(&r.bytes, seq,
                     deprecate_eof ? EncodeOk(0, 0, status_flags, warnings, {}, true)
                                   : EncodeEof(warnings, status_flags));
  r.next_seq = seq;
  return r;
}

EncodedResponse EncodeOkResponse(uint8_t seq, uint64_t affected_rows, uint16_t status_flags,
                                 uint16_t warnings, std::string_view info) {
  EncodedResponse r;
  r.next_seq =
      AppendPacket(&r.bytes, seq, EncodeOk(affected_rows, 0, status_flags, warnings, info));
  return r;
}

EncodedResponse EncodeErrResponse(uint8_t seq, uint16_t code, std::string_view sqlstate,
                                  std::string_view message) {
  EncodedResponse r;
  r.next_seq = AppendPacket(&r.bytes, seq, EncodeErr(code, sqlstate, message));
  return r;
}

}  // namespace shadowproxy::protocol

namespace shadowproxy::protocol {

Result<std::optional<std::string>> DecodeSingleValue(const std::vector<std::string>& payloads,
                                                     uint32_t capabilities,
                                                     uint32_t mariadb_ext_caps) {
  auto bad = [](std::string why) -> Result<std::optional<std::string>> {
    return Status(errc::kInternal, "not a one-row, one-column result: " + std::move(why));
  };
  auto is_eof = [](const std::string& p) {
    return !p.empty() && static_cast<uint8_t>(p[0]) == 0xFE && p.size() < 9;
  };
  if (payloads.empty()) return bad("no packets");
  if (!payloads[0].empty() && static_cast<uint8_t>(payloads[0][0]) == 0xFF) {
    auto err = DecodeErr(AsBytes(payloads[0]));
    if (err.ok()) return Status(err->code, err->message, err->sqlstate);
    return bad("a malformed ERR");
  }
  Reader head(payloads[0]);
  if (head.LenencInt() != 1 || !head.ok()) return bad("column count is not 1");
  bool metadata = true;
  if ((capabilities & CLIENT_OPTIONAL_RESULTSET_METADATA) ||
      (mariadb_ext_caps & MARIADB_CLIENT_CACHE_METADATA))
    metadata = head.U8() != 0;
  if (!head.ok() || !head.AtEnd()) return bad("malformed column count");
  size_t i = 1;
  if (metadata) ++i;                             // the column definition
  if (!(capabilities & CLIENT_DEPRECATE_EOF)) {  // also when the metadata was skipped
    if (i >= payloads.size() || !is_eof(payloads[i])) return bad("no EOF after the metadata");
    ++i;
  }
  if (payloads.size() != i + 2) return bad(std::to_string(payloads.size()) + " packets");
  const std::string& row = payloads[i];
  const std::string& end = payloads[i + 1];  // EOF, or the 0xFE OK of DEPRECATE_EOF
  if (end.empty() || static_cast<uint8_t>(end[0]) != 0xFE)
    return bad("no terminator after the row");
  if (is_eof(row) || row.empty()) return bad("no row");
  if (static_cast<uint8_t>(row[0]) == 0xFB) {
    if (row.size() != 1) return bad("more than one column in the row");
    return std::optional<std::string>();
  }
  Reader r(row);
  std::string_view value = r.LenencString();
  if (!r.ok() || !r.AtEnd()) return bad("malformed row");
  return std::optional<std::string>(std::string(value));
}

}  // namespace shadowproxy::protocol
