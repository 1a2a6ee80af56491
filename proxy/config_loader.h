// Loads and validates the YAML configuration (SPEC.md §2) into base/config.h's structs.
// Every error names the file, the line and the key path: `conf.yaml:12: listen.port: ...`.
// yaml-cpp exceptions never leave this module.
#pragma once

#include <string>
#include <string_view>

#include "base/config.h"
#include "base/status.h"

namespace shadowproxy::proxy {

// Parses `yaml` (the contents of `file_name`, used in messages). On failure the Status message
// holds every error found, one per line, in document order.
Result<Config> LoadConfigFromString(std::string_view yaml, std::string_view file_name);

// Reads and parses the file at `path`; Config::path is set to `path`.
Result<Config> LoadConfig(const std::string& path);

// "500ms", "30s", "5m", "48h", "7d" -> milliseconds. False on anything else.
bool ParseDuration(std::string_view text, Duration* out);

}  // namespace shadowproxy::proxy
