// libFuzzer target: terminal_safe must never let a control character (C0, DEL, C1) or invalid UTF-8 through, and
// must keep its output bounded by the cap it is given.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format/escape.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t cap = static_cast<size_t>(data[0]) * 8;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string out = memfit::terminal_safe(in, cap);
  if (out.size() > 4 * cap + 32) __builtin_trap();  // at most "\xNN" per byte kept, plus the "...(N bytes)" note
  for (size_t k = 0; k < out.size(); ++k) {
    unsigned char c = static_cast<unsigned char>(out[k]);
    if (c < 0x20 || c == 0x7f) __builtin_trap();
    if (c == 0xC2 && k + 1 < out.size() && static_cast<unsigned char>(out[k + 1]) >= 0x80 &&
        static_cast<unsigned char>(out[k + 1]) <= 0x9F)
      __builtin_trap();
    if (c >= 0x80) {  // a multi-byte character must be complete and valid
      size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
      if (n == 0 || k + n > out.size()) __builtin_trap();
      for (size_t j = 1; j < n; ++j)
        if ((static_cast<unsigned char>(out[k + j]) & 0xC0) != 0x80) __builtin_trap();
      k += n - 1;
    }
  }
  return 0;
}
