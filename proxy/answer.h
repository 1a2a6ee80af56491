// Encodes a StatementPlugin answer (OK, result set or error) as the packets of a command's
// response, sequence ids from 1, honouring the client's CLIENT_DEPRECATE_EOF.
#pragma once

#include <cstdint>
#include <string>

#include "plugins/plugin.h"

namespace shadowproxy::proxy {

// `mariadb_ext_caps`: the session's negotiated MariaDB extended capabilities (result-set form).
void EncodeAnswer(const plugins::Answer& answer, uint32_t client_capabilities,
                  uint16_t status_flags, std::string* out, uint32_t mariadb_ext_caps = 0);

}  // namespace shadowproxy::proxy
