#include "protocol/wire.h"

#include <cstring>

namespace shadowproxy::protocol {

size_t LenencIntSize(uint64_t v) {
  if (v < 251) return 1;
  if (v < (1u << 16)) return 3;
  if (v < (1u << 24)) return 4;
  return 9;
}

bool Reader::Need(size_t n) {
  if (!ok_ || data_.size() - pos_ < n) {
    ok_ = false;
    return false;
  }
  return true;
}

uint8_t Reader::Peek() { return Need(1) ? data_[pos_] : 0; }

uint8_t Reader::U8() { return Need(1) ? data_[pos_++] : 0; }

static uint64_t LoadLe(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint16_t Reader::U16() {
  if (!Need(2)) return 0;
  uint16_t v = static_cast<uint16_t>(LoadLe(&data_[pos_], 2));
  pos_ += 2;
  return v;
}

uint32_t Reader::U24() {
  if (!Need(3)) return 0;
  uint32_t v = static_cast<uint32_t>(LoadLe(&data_[pos_], 3));
  pos_ += 3;
  return v;
}

uint32_t Reader::U32() {
  if (!Need(4)) return 0;
  uint32_t v = static_cast<uint32_t>(LoadLe(&data_[pos_], 4));
  pos_ += 4;
  return v;
}

uint64_t Reader::U48() {
  if (!Need(6)) return 0;
  uint64_t v = LoadLe(&data_[pos_], 6);
  pos_ += 6;
  return v;
}

uint64_t Reader::U64() {
  if (!Need(8)) return 0;
  uint64_t v = LoadLe(&data_[pos_], 8);
  pos_ += 8;
  return v;
}

uint64_t Reader::LenencInt() {
  uint8_t first = U8();
  if (!ok_) return 0;
  if (first < 0xFB) return first;
  switch (first) {
    case 0xFC:
      return U16();
    case 0xFD:
      return U24();
    case 0xFE:
      return U64();
    default:  // 0xFB (NULL) and 0xFF (ERR) are not integers
      ok_ = false;
      return 0;
  }
}

std::string_view Reader::Bytes(size_t n) {
  if (!Need(n)) return {};
  std::string_view v(reinterpret_cast<const char*>(&data_[pos_]), n);
  pos_ += n;
  return v;
}

std::string_view Reader::LenencString() {
  uint64_t n = LenencInt();
  if (!ok_) return {};
  if (n > data_.size() - pos_) {
    ok_ = false;
    return {};
  }
  return Bytes(static_cast<size_t>(n));
}

std::string_view Reader::NulString() {
  if (!ok_) return {};
  const uint8_t* start = data_.data() + pos_;
  const void* nul = std::memchr(start, 0, data_.size() - pos_);
  if (nul == nullptr) {
    ok_ = false;
    return {};
  }
  size_t n = static_cast<const uint8_t*>(nul) - start;
  std::string_view v(reinterpret_cast<const char*>(start), n);
  pos_ += n + 1;
  return v;
}

std::string_view Reader::NulOrEofString() {
  if (!ok_) return {};
  const uint8_t* start = data_.data() + pos_;
  size_t left = data_.size() - pos_;
  const void* nul = left ? std::memchr(start, 0, left) : nullptr;
  if (nul == nullptr) return Rest();
  return NulString();
}

std::string_view Reader::Rest() { return Bytes(remaining()); }

void Reader::Skip(size_t n) {
  if (Need(n)) pos_ += n;
}

void Writer::Fixed(uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out_->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void Writer::LenencInt(uint64_t v) {
  if (v < 251) {
    U8(static_cast<uint8_t>(v));
  } else if (v < (1u << 16)) {
    U8(0xFC);
    Fixed(v, 2);
  } else if (v < (1u << 24)) {
    U8(0xFD);
    Fixed(v, 3);
  } else {
    U8(0xFE);
    Fixed(v, 8);
  }
}

void Writer::LenencString(std::string_view s) {
  LenencInt(s.size());
  out_->append(s);
}

void Writer::NulString(std::string_view s) {
  out_->append(s);
  out_->push_back('\0');
}

}  // namespace shadowproxy::protocol
