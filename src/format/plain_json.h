// A fast scanner for the plain subset of JSON that large machine-written documents (safetensors headers) use: it
// drives the same SAX handler as nlohmann::json::sax_parse without nlohmann's per-character lexer, and gives
// up on anything outside the subset so that the caller re-runs the full parser (which then also words any error).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace memfit {

// Scans `text` as one JSON value into `sax` (nlohmann's SAX interface: start_object, key, end_object, start_array,
// end_array, string, number_unsigned, number_integer). Returns true when the whole text was plain JSON and every
// callback returned true. Returns false, with `sax` in a partial state, on anything else: a string holding an escape,
// a control character or a non-ASCII byte; a number that is not an integer of at most 18-19 digits (or has a leading
// zero, or is -0); true/false/null; nesting deeper than `max_depth`; trailing text; or a syntax error.
template <class Sax>
bool scan_plain_json(std::string_view text, Sax& sax, int max_depth = 64) {
  const char* p = text.data();
  const char* const end = p + text.size();
  constexpr std::size_t kUnknownSize = static_cast<std::size_t>(-1);
  std::string str;                // the current key or string value (reused: no allocation once grown)
  bool in_object[256];            // per open container: object (true) or array (false)
  if (max_depth > 256) max_depth = 256;
  int depth = 0;
  auto skip_ws = [&] {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  };
  auto read_string = [&]() -> bool {  // at the opening quote
    const char* s = ++p;
    while (p < end) {
      auto c = static_cast<unsigned char>(*p);
      if (c == '"') break;
      if (c < 0x20 || c >= 0x80 || c == '\\') return false;
      ++p;
    }
    if (p == end) return false;
    str.assign(s, p);
    ++p;
    return true;
  };
  auto read_number = [&]() -> bool {
    bool negative = *p == '-';
    if (negative) ++p;
    const char* s = p;
    while (p < end && *p >= '0' && *p <= '9') ++p;
    std::size_t digits = static_cast<std::size_t>(p - s);
    if (digits == 0 || digits > (negative ? 18u : 19u) || (digits > 1 && *s == '0')) return false;
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return false;
    uint64_t v = 0;
    for (const char* d = s; d < p; ++d) v = v * 10 + static_cast<uint64_t>(*d - '0');
    if (negative) return v != 0 && sax.number_integer(-static_cast<int64_t>(v));
    return sax.number_unsigned(v);
  };

  enum class Want { Value, Key, AfterValue } want = Want::Value;
  skip_ws();
  for (;;) {
    if (want == Want::Value) {
      if (p == end) return false;
      char c = *p;
      if (c == '{' || c == '[') {
        if (depth == max_depth) return false;
        bool object = c == '{';
        in_object[depth++] = object;
        ++p;
        if (!(object ? sax.start_object(kUnknownSize) : sax.start_array(kUnknownSize))) return false;
        skip_ws();
        if (p < end && *p == (object ? '}' : ']')) {
          ++p;
          --depth;
          if (!(object ? sax.end_object() : sax.end_array())) return false;
          want = Want::AfterValue;
        } else {
          want = object ? Want::Key : Want::Value;
        }
        continue;
      }
      if (c == '"') {
        if (!read_string() || !sax.string(str)) return false;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (!read_number()) return false;
      } else {
        return false;
      }
      want = Want::AfterValue;
    } else if (want == Want::Key) {
      if (p == end || *p != '"' || !read_string() || !sax.key(str)) return false;
      skip_ws();
      if (p == end || *p != ':') return false;
      ++p;
      skip_ws();
      want = Want::Value;
    } else {  // AfterValue
      skip_ws();
      if (depth == 0) return p == end;
      if (p == end) return false;
      bool object = in_object[depth - 1];
      if (*p == ',') {
        ++p;
        skip_ws();
        want = object ? Want::Key : Want::Value;
      } else if (*p == (object ? '}' : ']')) {
        ++p;
        --depth;
        if (!(object ? sax.end_object() : sax.end_array())) return false;
      } else {
        return false;
      }
    }
  }
}

}  // namespace memfit
