// Wire primitives of the MySQL protocol: fixed-size little-endian integers, length-encoded
// integers and strings, NUL-terminated strings. Reader never reads out of bounds (it sets a
// sticky error flag instead); Writer appends to a std::string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace shadowproxy::protocol {

// Number of bytes EncodeLenencInt(v) takes (1, 3, 4 or 9).
size_t LenencIntSize(uint64_t v);

// Bounds-checked reader over a payload. Every getter returns 0 / "" once an error occurred;
// check ok() at the end. Returned string_views point into the input buffer.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}
  explicit Reader(std::string_view data)
      : data_(reinterpret_cast<const uint8_t*>(data.data()), data.size()) {}

  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  bool AtEnd() const { return remaining() == 0; }
  void Fail() { ok_ = false; }

  uint8_t Peek();  // next byte without consuming it (error at end)
  uint8_t U8();
  uint16_t U16();
  uint32_t U24();
  uint32_t U32();
  uint64_t U48();
  uint64_t U64();
  // Length-encoded integer (0xFB/0xFF prefixes are errors; use IsNullCell for row NULLs).
  uint64_t LenencInt();
  std::string_view LenencString();
  std::string_view NulString();  // consumes the NUL; error if none before the end
  // Bytes up to the NUL, or up to the end when there is no NUL (old servers' plugin names).
  std::string_view NulOrEofString();
  std::string_view Bytes(size_t n);
  std::string_view Rest();  // everything left
  void Skip(size_t n);

 private:
  bool Need(size_t n);
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Appends to *out (not owned).
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Fixed(v, 2); }
  void U24(uint32_t v) { Fixed(v, 3); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void U64(uint64_t v) { Fixed(v, 8); }
  void Fixed(uint64_t v, int bytes);
  void LenencInt(uint64_t v);
  void LenencString(std::string_view s);
  void NulString(std::string_view s);  // s must not contain NUL (not checked)
  void Bytes(std::string_view s) { out_->append(s); }
  void Zeros(size_t n) { out_->append(n, '\0'); }

 private:
  std::string* out_;
};

}  // namespace shadowproxy::protocol
