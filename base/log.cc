#include "base/log.h"

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "base/json.h"

namespace shadowproxy::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kText)};
std::mutex g_mu;
}  // namespace

void SetLevel(Level level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }
Level GetLevel() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

void SetFormat(Format format) {
  g_format.store(static_cast<int>(format), std::memory_order_relaxed);
}
Format GetFormat() { return static_cast<Format>(g_format.load(std::memory_order_relaxed)); }

bool ParseLevel(std::string_view text, Level* out) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "debug")
    *out = Level::kDebug;
  else if (lower == "info")
    *out = Level::kInfo;
  else if (lower == "warn" || lower == "warning")
    *out = Level::kWarn;
  else if (lower == "error")
    *out = Level::kError;
  else
    return false;
  return true;
}

bool ParseFormat(std::string_view text, Format* out) {
  if (text == "text")
    *out = Format::kText;
  else if (text == "json")
    *out = Format::kJson;
  else
    return false;
  return true;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarn:
      return "WARN";
    case Level::kError:
      return "ERROR";
  }
  return "?";
}

std::string FormatLine(Format format, int64_t unix_ms, Level level, std::string_view component,
                       std::string_view message, Fields fields) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  int millis = static_cast<int>(unix_ms % 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char stamp[48];
  std::string line;
  if (format == Format::kText) {
    size_t n = std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    std::snprintf(stamp + n, sizeof(stamp) - n, ".%03d", millis);
    line.reserve(48 + component.size() + message.size());
    line += stamp;
    line += ' ';
    line += LevelName(level);
    line += ' ';
    line += component;
    line += ": ";
    line += message;
    return line;
  }
  // RFC 3339 in local time with its offset: the same clock as the text format, unambiguous
  // for a log shipper.
  size_t n = std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
  long off = tm.tm_gmtoff / 60;
  std::snprintf(stamp + n, sizeof(stamp) - n, ".%03d%c%02ld:%02ld", millis, off < 0 ? '-' : '+',
                (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
  line.reserve(80 + component.size() + message.size());
  line += "{\"ts\":\"";
  line += stamp;
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += "\",\"component\":";
  json::AppendString(&line, component);
  line += ",\"msg\":";
  json::AppendString(&line, message);
  for (const Field& f : fields) {
    line += ',';
    json::AppendString(&line, f.key);
    line += ':';
    if (f.is_number)
      line += std::to_string(f.number);
    else
      json::AppendString(&line, f.text);
  }
  line += '}';
  return line;
}

void Write(Level level, std::string_view component, std::string_view message, Fields fields) {
  using namespace std::chrono;
  const int64_t now_ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::string line = FormatLine(GetFormat(), now_ms, level, component, message, fields);
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace shadowproxy::log
