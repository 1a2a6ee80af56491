// The one logger: a line per event on stderr, "<time> <LEVEL> <component>: <message>".
// Thread-safe; cheap when the level is filtered out.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace shadowproxy::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLevel(Level level);
Level GetLevel();
// Parses "debug", "info", "warn", "error" (case-insensitive). Returns false on anything else.
bool ParseLevel(std::string_view text, Level* out);
const char* LevelName(Level level);

void Write(Level level, std::string_view component, std::string_view message);

inline bool Enabled(Level level) { return level >= GetLevel(); }

namespace detail {
template <typename... Args>
std::string Concat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
}  // namespace detail

template <typename... Args>
void Debug(std::string_view component, const Args&... args) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, component, detail::Concat(args...));
}
template <typename... Args>
void Info(std::string_view component, const Args&... args) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, component, detail::Concat(args...));
}
template <typename... Args>
void Warn(std::string_view component, const Args&... args) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, component, detail::Concat(args...));
}
template <typename... Args>
void Error(std::string_view component, const Args&... args) {
  if (Enabled(Level::kError)) Write(Level::kError, component, detail::Concat(args...));
}

}  // namespace shadowproxy::log
