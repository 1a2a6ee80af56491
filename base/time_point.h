// Task times (SPEC.md §4.1): millisecond precision (system_clock's nanoseconds overflow after
// 2262, and EXECUTE AT accepts any year up to 9999), written 'YYYY-MM-DD HH:MM:SS' in the
// proxy's local time zone. The one parse and format of them, for the grammar, the task model
// and the metadb's DATETIME(3) values.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace shadowproxy {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

inline TimePoint Now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// "YYYY-MM-DD HH:MM:SS" in local time; with millis "YYYY-MM-DD HH:MM:SS.mmm".
std::string FormatTime(TimePoint t, bool millis = false);

enum class TimeForm {
  kSeconds,        // exactly 'YYYY-MM-DD HH:MM:SS' (EXECUTE AT)
  kDateOrSeconds,  // also a bare 'YYYY-MM-DD' (00:00:00; created_at in SHOW TASKS WHERE)
  kFraction,       // seconds with an optional '.f' to '.ffffff' (the metadb's DATETIME(3))
};
// Local time; nullopt if malformed, before 1970, or not a real date (2026-02-30).
std::optional<TimePoint> ParseTime(std::string_view text, TimeForm form = TimeForm::kSeconds);

}  // namespace shadowproxy
