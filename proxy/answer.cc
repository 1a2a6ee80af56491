#include "proxy/answer.h"

#include "protocol/packet.h"
#include "protocol/packets.h"
#include "protocol/resultset.h"

namespace shadowproxy::proxy {

namespace p = protocol;

void EncodeAnswer(const plugins::Answer& answer, uint32_t client_capabilities,
                  uint16_t status_flags, std::string* out, uint32_t mariadb_ext_caps) {
  if (const auto* ok = std::get_if<plugins::OkAnswer>(&answer)) {
    p::AppendPacket(
        out, 1,
        p::EncodeOk(ok->affected_rows, ok->last_insert_id, status_flags, ok->warnings, ok->info));
  } else if (const auto* rs = std::get_if<plugins::ResultSetAnswer>(&answer)) {
    out->append(p::EncodeTextResultSet(rs->columns, rs->rows, client_capabilities, 1, status_flags,
                                       0, mariadb_ext_caps)
                    .bytes);
  } else {
    const auto& st = std::get<Status>(answer);
    Status err = st.ok() ? Status(1105, "internal error: empty answer") : st;
    p::AppendPacket(out, 1, p::EncodeErr(err));
  }
}

}  // namespace shadowproxy::proxy
