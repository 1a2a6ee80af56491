// Status and Result<T>: how errors cross module boundaries (no exceptions).
// SQL-facing errors carry the MySQL error code and SQLSTATE of SPEC.md §6.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace shadowproxy {

// MySQL / proxy error codes used across modules (SPEC.md §6).
namespace errc {
inline constexpr uint16_t kAccessDenied = 1045;
inline constexpr uint16_t kSyntax = 1064;
inline constexpr uint16_t kUnknownId = 7002;
inline constexpr uint16_t kNotAllowed = 7003;
inline constexpr uint16_t kBadStatus = 7004;
inline constexpr uint16_t kNotFound = 7005;
inline constexpr uint16_t kBadNaming = 7010;
inline constexpr uint16_t kBadSchedule = 7011;
inline constexpr uint16_t kAlreadySubmitted = 7012;
inline constexpr uint16_t kTouchesNonShadow = 7020;
inline constexpr uint16_t kUnavailable = 7030;
inline constexpr uint16_t kInternal = 1105;  // ER_UNKNOWN_ERROR
}  // namespace errc

class Status {
 public:
  Status() = default;  // OK
  Status(uint16_t code, std::string message, std::string sqlstate = "HY000")
      : code_(code), sqlstate_(std::move(sqlstate)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == 0; }
  uint16_t code() const { return code_; }
  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& message() const { return message_; }
  std::string ToString() const {
    return ok() ? "OK" : "ERR " + std::to_string(code_) + " (" + sqlstate_ + "): " + message_;
  }

 private:
  uint16_t code_ = 0;
  std::string sqlstate_ = "00000";
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace shadowproxy
