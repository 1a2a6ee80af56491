// The one logger: a line per event on stderr. Text: "<time> <LEVEL> <component>: <message>";
// JSON (log.format: json): one object per line with ts, level, component, msg and the line's
// structured fields (session, task_id, ...). Thread-safe; cheap when the level is filtered out.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

namespace shadowproxy::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText = 0, kJson = 1 };

void SetLevel(Level level);
Level GetLevel();
// Parses "debug", "info", "warn", "error" (case-insensitive). Returns false on anything else.
bool ParseLevel(std::string_view text, Level* out);
const char* LevelName(Level level);

void SetFormat(Format format);
Format GetFormat();
// "text" or "json" (as log.format spells them). Returns false on anything else.
bool ParseFormat(std::string_view text, Format* out);

// A structured field of one line: a JSON key of its own in the JSON format. The text format
// does not print fields (its message already says "session 12", "task 7"), so adding one never
// changes a text line. The views must outlive the call (they do: fields are built in it).
struct Field {
  template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
  Field(std::string_view k, T v) : key(k), number(static_cast<int64_t>(v)), is_number(true) {}
  Field(std::string_view k, std::string_view v) : key(k), text(v) {}
  std::string_view key;
  int64_t number = 0;
  std::string_view text;
  bool is_number = false;
};
using Fields = std::initializer_list<Field>;

void Write(Level level, std::string_view component, std::string_view message, Fields fields = {});

// The line Write() prints (without the newline), for `format` at wall-clock time `unix_ms`.
std::string FormatLine(Format format, int64_t unix_ms, Level level, std::string_view component,
                       std::string_view message, Fields fields = {});

inline bool Enabled(Level level) { return level >= GetLevel(); }

namespace detail {
template <typename... Args>
std::string Concat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
}  // namespace detail

// Debug("relay", "text ", 1) or, with fields, Debug("relay", {{"session", id}}, "text ", 1).
template <typename... Args>
void Debug(std::string_view component, const Args&... args) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, component, detail::Concat(args...));
}
template <typename... Args>
void Debug(std::string_view component, Fields fields, const Args&... args) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, component, detail::Concat(args...), fields);
}
template <typename... Args>
void Info(std::string_view component, const Args&... args) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, component, detail::Concat(args...));
}
template <typename... Args>
void Info(std::string_view component, Fields fields, const Args&... args) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, component, detail::Concat(args...), fields);
}
template <typename... Args>
void Warn(std::string_view component, const Args&... args) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, component, detail::Concat(args...));
}
template <typename... Args>
void Warn(std::string_view component, Fields fields, const Args&... args) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, component, detail::Concat(args...), fields);
}
template <typename... Args>
void Error(std::string_view component, const Args&... args) {
  if (Enabled(Level::kError)) Write(Level::kError, component, detail::Concat(args...));
}
template <typename... Args>
void Error(std::string_view component, Fields fields, const Args&... args) {
  if (Enabled(Level::kError)) Write(Level::kError, component, detail::Concat(args...), fields);
}

}  // namespace shadowproxy::log
