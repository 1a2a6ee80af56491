// `--print-config`: a loaded configuration written back as YAML, every key present with its
// effective value (defaults filled in, ${VAR}s expanded, *_file secrets read) and every password
// redacted. Apart from the redacted secrets, loading the output gives the same configuration.
#pragma once

#include <string>

#include "base/config.h"

namespace shadowproxy::proxy {

// What a non-empty secret is printed as. An empty one is printed as "" (no secret to hide, and
// "admin_password is empty" is what a reader checking the file wants to know).
inline constexpr const char* kRedacted = "***";

std::string PrintConfig(const Config& cfg);

// The largest of ms, s, m, h that expresses `d` exactly ("30s", "48h", "1500ms"); what the
// loader's ParseDuration reads back.
std::string FormatDuration(Duration d);

}  // namespace shadowproxy::proxy
