#include "format/escape.h"

#include <fmt/format.h>

namespace memfit {

namespace {
// Length of the valid UTF-8 sequence starting at s[k] (1..4), or 0 when it is not one.
size_t utf8_length(std::string_view s, size_t k) {
  unsigned char c = static_cast<unsigned char>(s[k]);
  size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || k + n > s.size()) return 0;
  for (size_t j = 1; j < n; ++j)
    if ((static_cast<unsigned char>(s[k + j]) & 0xC0) != 0x80) return 0;
  return n;
}
}  // namespace

std::string terminal_safe(std::string_view s, size_t max_bytes) {
  const bool cut = s.size() > max_bytes;
  std::string_view in = cut ? s.substr(0, max_bytes) : s;
  std::string out;
  out.reserve(in.size() + 16);
  for (size_t k = 0; k < in.size();) {
    unsigned char c = static_cast<unsigned char>(in[k]);
    if (c < 0x80) {
      if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
      else out += static_cast<char>(c);
      ++k;
      continue;
    }
    size_t n = utf8_length(in, k);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", c);  // not UTF-8 (or cut inside a character): shown, never sent raw
      ++k;
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(in[k + 1]) <= 0x9F) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(in[k + 1]));  // C1 controls (CSI, OSC, ...)
      k += 2;
    } else {
      out.append(in.substr(k, n));
      k += n;
    }
  }
  if (cut) out += fmt::format("...({} bytes)", s.size());
  return out;
}

}  // namespace memfit
