// Mirrors the validation of huggingface/safetensors (safetensors/src/tensor.rs: SafeTensors::read_metadata and
// Metadata::validate): header length cap, JSON object, known dtypes, no duplicate names, offsets that tile the data
// region exactly and agree with dtype x shape.
#include "format/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "format/config.h"

namespace memfit::safetensors {

namespace {
using Json = nlohmann::json;

// Deepest JSON nesting a valid header needs is 3 (object > tensor > shape); anything far deeper is hostile.
constexpr int kMaxDepth = 64;

bool too_deep(std::string_view s) {
  int depth = 0;
  bool in_str = false, esc = false;
  for (char c : s) {
    if (in_str) {
      if (esc) esc = false;
      else if (c == '\\') esc = true;
      else if (c == '"') in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return true;
    } else if (c == '}' || c == ']') --depth;
  }
  return false;
}

Result<uint64_t> as_u64(const Json& v, std::string_view what) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    int64_t x = v.get<int64_t>();
    if (x < 0) return fail(ErrorKind::BadInput, fmt::format("{} is negative ({})", what, x));
    return static_cast<uint64_t>(x);
  }
  return fail(ErrorKind::BadInput, fmt::format("{} is not an integer", what));
}
}  // namespace

const std::vector<DTypeInfo>& dtypes() {
  static const std::vector<DTypeInfo> k{
      {"BOOL", 8},        {"F4", 4},          {"F6_E2M3", 6},     {"F6_E3M2", 6},     {"U8", 8},
      {"I8", 8},          {"F8_E5M2", 8},     {"F8_E4M3", 8},     {"F8_E8M0", 8},     {"F8_E4M3FNUZ", 8},
      {"F8_E5M2FNUZ", 8}, {"I16", 16},        {"U16", 16},        {"F16", 16},        {"BF16", 16},
      {"I32", 32},        {"U32", 32},        {"F32", 32},        {"C64", 64},        {"F64", 64},
      {"I64", 64},        {"U64", 64},
  };
  return k;
}

const DTypeInfo* find_dtype(std::string_view name) {
  for (const auto& d : dtypes())
    if (d.name == name) return &d;
  return nullptr;
}

Result<uint64_t> parse_length(std::string_view first8, std::optional<uint64_t> file_size, std::string_view origin) {
  if (first8.size() < 8)
    return fail(ErrorKind::BadInput, fmt::format("{}: not a safetensors file: {} bytes, shorter than the 8-byte "
                                                 "header length", origin, first8.size()));
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = (n << 8) | static_cast<unsigned char>(first8[k]);
  if (n > kMaxHeaderBytes)
    return fail(ErrorKind::BadInput, fmt::format("{}: safetensors header length {} exceeds the limit of {} bytes",
                                                 origin, n, kMaxHeaderBytes));
  if (file_size && n > *file_size - 8)
    return fail(ErrorKind::BadInput, fmt::format("{}: safetensors header length {} is larger than the file ({} "
                                                 "bytes)", origin, n, *file_size));
  if (n < 2) return fail(ErrorKind::BadInput, fmt::format("{}: safetensors header length {} is too small", origin, n));
  return n;
}

Result<Header> parse_header(std::string_view json, std::optional<uint64_t> data_bytes, std::string_view origin) {
  auto bad = [&](std::string msg) { return fail(ErrorKind::BadInput, fmt::format("{}: {}", origin, msg)); };
  if (json.empty() || json.front() != '{') return bad("safetensors header is not a JSON object");
  if (too_deep(json)) return bad(fmt::format("safetensors header nests deeper than {} levels", kMaxDepth));
  // Duplicate top-level names are an error in safetensors; nlohmann would keep the last one silently.
  std::set<std::string> seen;
  std::string duplicate;
  Json j;
  try {
    j = Json::parse(json.begin(), json.end(), [&](int depth, Json::parse_event_t ev, Json& parsed) {
      if (depth == 1 && ev == Json::parse_event_t::key && duplicate.empty()) {
        auto k = parsed.get<std::string>();
        if (!seen.insert(k).second) duplicate = k;
      }
      return true;
    });
  } catch (const Json::exception& e) {
    auto r = parse_json(json, origin);  // for the line:column message
    if (!r) return std::unexpected(r.error());
    return bad(fmt::format("malformed safetensors header: {}", e.what()));
  }
  if (!j.is_object()) return bad("safetensors header is not a JSON object");
  if (!duplicate.empty()) return bad(fmt::format("safetensors header names tensor `{}` twice", duplicate));

  Header h;
  h.header_bytes = json.size();
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const Json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) return bad("`__metadata__` is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) return bad(fmt::format("`__metadata__.{}` is not a string", m.key()));
        h.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    auto where = [&](std::string_view what) { return fmt::format("tensor `{}`: {}", name, what); };
    if (!v.is_object()) return bad(where("entry is not an object"));
    auto dt = v.find("dtype");
    auto sh = v.find("shape");
    auto off = v.find("data_offsets");
    if (dt == v.end() || !dt->is_string()) return bad(where("`dtype` is missing or not a string"));
    if (sh == v.end() || !sh->is_array()) return bad(where("`shape` is missing or not an array"));
    if (off == v.end() || !off->is_array() || off->size() != 2)
      return bad(where("`data_offsets` is missing or not a [begin, end] pair"));
    TensorInfo t;
    t.name = name;
    t.dtype = dt->get<std::string>();
    const DTypeInfo* info = find_dtype(t.dtype);
    if (!info) return bad(where(fmt::format("unknown dtype `{}`", t.dtype)));
    t.bits = info->bits;
    uint64_t elements = 1;
    for (const auto& d : *sh) {
      if (!d.is_number_integer()) return bad(where("shape has a non-integer dimension"));
      if (!d.is_number_unsigned() && d.get<int64_t>() < 0)
        return bad(where(fmt::format("shape has a negative dimension ({})", d.get<int64_t>())));
      uint64_t x = d.get<uint64_t>();
      if (x > static_cast<uint64_t>(INT64_MAX)) return bad(where("shape dimension overflows 64 bits"));
      if (__builtin_mul_overflow(elements, x, &elements))
        return bad(where("element count overflows 64 bits"));
      t.shape.push_back(static_cast<int64_t>(x));
    }
    t.elements = elements;
    uint64_t bits;
    if (__builtin_mul_overflow(elements, static_cast<uint64_t>(t.bits), &bits))
      return bad(where("byte size overflows 64 bits"));
    if (bits % 8 != 0)
      return bad(where(fmt::format("{} elements of {} ({} bits) do not fill whole bytes", elements, t.dtype, t.bits)));
    auto b = as_u64((*off)[0], "data_offsets[0]");
    auto e = as_u64((*off)[1], "data_offsets[1]");
    if (!b) return bad(where(b.error().message));
    if (!e) return bad(where(e.error().message));
    t.begin = *b;
    t.end = *e;
    if (t.end < t.begin) return bad(where(fmt::format("data_offsets [{}, {}] are out of order", t.begin, t.end)));
    if (t.end - t.begin != bits / 8)
      return bad(where(fmt::format("data_offsets [{}, {}] hold {} bytes but {} x {} needs {}", t.begin, t.end,
                                   t.end - t.begin, t.dtype, fmt::join(t.shape, "x"), bits / 8)));
    if (data_bytes && t.end > *data_bytes)
      return bad(where(fmt::format("data_offsets [{}, {}] run past the data region ({} bytes)", t.begin, t.end,
                                   *data_bytes)));
    h.tensors.push_back(std::move(t));
  }
  // The offsets must tile [0, data_bytes): sorted by begin, each starts where the previous ended.
  std::vector<const TensorInfo*> order;
  order.reserve(h.tensors.size());
  for (const auto& t : h.tensors) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t pos = 0;
  for (const auto* t : order) {
    if (t->begin < pos)
      return bad(fmt::format("tensor `{}`: data_offsets [{}, {}] overlap the previous tensor (ends at {})", t->name,
                             t->begin, t->end, pos));
    if (t->begin > pos)
      return bad(fmt::format("tensor `{}`: data_offsets [{}, {}] leave a hole of {} bytes before it", t->name,
                             t->begin, t->end, t->begin - pos));
    pos = t->end;
  }
  h.data_bytes = pos;
  if (data_bytes && pos != *data_bytes)
    return bad(fmt::format("the tensors cover {} bytes of a {}-byte data region", pos, *data_bytes));
  return h;
}

Result<Header> read_header(const RangeReader& read, std::optional<uint64_t> file_size, std::string_view origin) {
  if (file_size && *file_size < 8)
    return fail(ErrorKind::BadInput, fmt::format("{}: not a safetensors file: {} bytes, shorter than the 8-byte "
                                                 "header length", origin, *file_size));
  auto first = read(0, 8);
  if (!first) return std::unexpected(first.error());
  auto n = parse_length(*first, file_size, origin);
  if (!n) return std::unexpected(n.error());
  auto text = read(8, *n);
  if (!text) return std::unexpected(text.error());
  if (text->size() != *n)
    return fail(ErrorKind::BadInput, fmt::format("{}: truncated: the header needs {} bytes, {} were read", origin, *n,
                                                 text->size()));
  std::optional<uint64_t> data;
  if (file_size) data = *file_size - 8 - *n;
  return parse_header(*text, data, origin);
}

Result<Header> read_file(const std::string& path) {
  Result<Header> h = fail(ErrorKind::Internal, "not read");
  auto opened = with_local_file(path, [&](const RangeReader& rd, uint64_t size) { h = read_header(rd, size, path); });
  if (!opened) return std::unexpected(opened.error());
  return h;
}

Result<void> write_file(const std::string& path, const std::vector<WriteTensor>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  Json j = Json::object();
  if (!metadata.empty()) j["__metadata__"] = metadata;
  uint64_t pos = 0;
  for (const auto& t : tensors) {
    const DTypeInfo* info = find_dtype(t.dtype);
    if (!info) return fail(ErrorKind::Usage, fmt::format("write {}: unknown dtype `{}`", path, t.dtype));
    uint64_t n = 1;
    for (auto d : t.shape) n *= static_cast<uint64_t>(d);
    uint64_t bytes = (n * static_cast<uint64_t>(info->bits) + 7) / 8;
    j[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {pos, pos + bytes}}};
    pos += bytes;
  }
  std::string text = j.dump();
  while ((text.size() + 8) % 8 != 0) text.push_back(' ');
  std::string prefix(8, '\0');
  uint64_t n = text.size();
  for (int k = 0; k < 8; ++k) prefix[k] = static_cast<char>((n >> (8 * k)) & 0xff);
  return write_sparse(path, prefix + text, pos);
}

}  // namespace memfit::safetensors
