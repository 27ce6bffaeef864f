#include "report/pyfmt.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace memfit {

namespace {
// repr(round(x, 2)): printf's %.2f rounds the exact binary value half-to-even, as Python's round does; the
// shortest repr of the rounded double is then that decimal with trailing zeros dropped (keeping one).
std::string round2_repr(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  std::string s(buf);
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  if (s == "-0.0") s = "0.0";
  return s;
}
}  // namespace

std::string convert_bytes(double size, bool py_int) {
  static const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
  for (const char* u : units) {
    if (size < 1024.0) {
      if (py_int) return std::to_string(static_cast<long long>(size)) + " " + u;
      return round2_repr(size) + " " + u;
    }
    size /= 1024.0;
    py_int = false;
  }
  return round2_repr(size) + " PB";
}

size_t py_len(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string py_center(std::string_view s, size_t width) {
  size_t len = py_len(s);
  if (len >= width) return std::string(s);
  size_t marg = width - len;
  size_t left = marg / 2 + (marg & width & 1);
  return std::string(left, ' ') + std::string(s) + std::string(marg - left, ' ');
}

std::string exact_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9.0e15) return std::to_string(static_cast<long long>(v));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace memfit
