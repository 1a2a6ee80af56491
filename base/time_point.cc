#include "base/time_point.h"

#include <cstdio>
#include <ctime>

namespace shadowproxy {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::string FormatTime(TimePoint t, bool millis) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  // Not system_clock::to_time_t: that goes through nanoseconds, which overflow after 2262.
  const std::time_t tt = static_cast<std::time_t>(secs.time_since_epoch().count());
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::string out(buf, n);
  if (millis) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03lld", static_cast<long long>((t - secs).count()));
    out += frac;
  }
  return out;
}

std::optional<TimePoint> ParseTime(std::string_view s, TimeForm form) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0;
  if (!Digits(s, 0, 4, &year) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day))
    return std::nullopt;
  if (s.size() == 10) {
    if (form != TimeForm::kDateOrSeconds) return std::nullopt;
  } else {
    if (s.size() < 19 || s[10] != ' ' || !Digits(s, 11, 2, &hour) || s[13] != ':' ||
        !Digits(s, 14, 2, &minute) || s[16] != ':' || !Digits(s, 17, 2, &second))
      return std::nullopt;
    std::string_view rest = s.substr(19);
    if (!rest.empty()) {
      if (form != TimeForm::kFraction || rest[0] != '.' || rest.size() < 2 || rest.size() > 7)
        return std::nullopt;
      int digits = 0;
      for (char c : rest.substr(1)) {
        if (c < '0' || c > '9') return std::nullopt;
        if (digits < 3) ms = ms * 10 + (c - '0');
        ++digits;
      }
      for (; digits < 3; ++digits) ms *= 10;
    }
  }
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;  // let the time zone decide
  const std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  // Not system_clock::from_time_t: nanoseconds overflow after 2262 (EXECUTE AT '2999-...').
  return TimePoint(std::chrono::seconds(t)) + std::chrono::milliseconds(ms);
}

}  // namespace shadowproxy
