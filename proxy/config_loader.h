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

// The warning owed when the file `cfg` was loaded from is readable by its group or by others
// while it holds clear-text passwords (Config::clear_text_secrets): names the file, its mode and
// the keys. Empty when there is nothing to warn about (or the file cannot be examined).
std::string ClearTextSecretsWarning(const Config& cfg);

// ${VAR} expansion, applied to every scalar value of the document (never to keys): each
// `${NAME}` (NAME = [A-Za-z_][A-Za-z0-9_]*) becomes the environment variable's value, "$${"
// is a literal "${", and any other '$' stays as it is. False, with *error naming the variable,
// when one is not set or a "${" is malformed; *expanded says whether a variable was used.
bool ExpandEnv(std::string_view text, std::string* out, std::string* error,
               bool* expanded = nullptr);

// "500ms", "30s", "5m", "48h", "7d" -> milliseconds. False on anything else.
bool ParseDuration(std::string_view text, Duration* out);

}  // namespace shadowproxy::proxy
