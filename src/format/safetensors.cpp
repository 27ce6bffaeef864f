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

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "format/config.h"
#include "format/json_error.h"
#include "format/plain_json.h"

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

namespace {
// A SAX handler building the header straight into the tensors it returns: linear in the header's size and without
// a JSON DOM (a DOM of a 100 MB header takes gigabytes; nlohmann's callback parser rescans siblings, quadratic in
// the tensor count). Every top-level entry gets a TensorInfo, `__metadata__` included (its slot is dropped at the
// end); the first thing wrong with an entry is kept aside as a message until the whole document is known to be
// well-formed JSON, the order a DOM parse gives. Depth counts the open containers: 1 = inside the root object,
// 2 = inside an entry, 3 = in a list.
class HeaderSax {
 public:
  using Json = nlohmann::json;
  std::vector<TensorInfo> entries;
  std::vector<std::pair<uint32_t, std::string>> errors;  // (entry, its first problem), rare
  uint32_t metadata_entry = UINT32_MAX;  // the entry named __metadata__ (a second is a duplicate name, refused)
  std::map<std::string, std::string> metadata;
  size_t error_byte = 0;
  std::string syntax_error;  // set by parse_error

  bool null() { return scalar(); }
  bool boolean(bool) { return scalar(); }
  bool number_integer(Json::number_integer_t v) {
    return v >= 0 ? number(static_cast<uint64_t>(v), 0) : number(std::nullopt, v);
  }
  bool number_unsigned(Json::number_unsigned_t v) { return number(v, 0); }
  bool number_float(Json::number_float_t, const Json::string_t&) { return scalar(); }
  bool binary(Json::binary_t&) { return scalar(); }
  bool string(Json::string_t& v) {
    if (depth_ == 2 && in_object_ && is_metadata_) {
      metadata[key_] = v;
      return true;
    }
    if (depth_ == 2 && in_object_ && field_ == Field::Dtype) {
      cur().dtype = v;
      has_dtype_ = true;
      return true;
    }
    return scalar();
  }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) {
    if (depth_ == 2 && in_object_ && !is_metadata_ && (field_ == Field::Shape || field_ == Field::Offsets)) {
      (field_ == Field::Shape ? has_shape_ : has_offsets_) = true;
      in_list_ = true;
      ++depth_;
      return true;
    }
    return open(false);
  }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(Json::string_t& k) {
    if (depth_ == 1) {
      entries.emplace_back().name = k;
      is_metadata_ = k == "__metadata__";
      if (is_metadata_) metadata_entry = static_cast<uint32_t>(entries.size() - 1);
      reset_entry();
    } else if (depth_ == 2 && in_object_) {
      key_ = k;
      field_ = k == "dtype" ? Field::Dtype : k == "shape" ? Field::Shape : k == "data_offsets" ? Field::Offsets
                                                                                              : Field::Other;
      // A field given twice counts as its last value, like a JSON object.
      if (field_ == Field::Dtype) has_dtype_ = dtype_bad_ = false, cur().dtype.clear();
      if (field_ == Field::Shape) has_shape_ = false, cur().shape.clear(), shape_bad_.clear(), elements_ = 1;
      if (field_ == Field::Offsets) has_offsets_ = false, offsets_ = 0, offsets_bad_.clear();
    }
    return true;
  }
  bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& e) {
    error_byte = byte;
    syntax_error = e.what();
    return false;
  }

 private:
  enum class Field { Dtype, Shape, Offsets, Other };
  int depth_ = 0;
  bool in_object_ = false;  // the current entry's value is an object
  bool in_list_ = false;    // inside the entry's shape or data_offsets array
  bool is_metadata_ = false;  // the current entry is __metadata__
  Field field_ = Field::Other;
  std::string key_;
  bool has_dtype_ = false, dtype_bad_ = false, has_shape_ = false, has_offsets_ = false;
  int offsets_ = 0;
  uint64_t elements_ = 1;
  std::string shape_bad_, offsets_bad_, metadata_bad_;  // the first bad item, as a message

  TensorInfo& cur() { return entries.back(); }
  void reset_entry() {
    in_object_ = in_list_ = false;
    field_ = Field::Other;
    has_dtype_ = dtype_bad_ = has_shape_ = has_offsets_ = false;
    offsets_ = 0;
    elements_ = 1;
    shape_bad_.clear(), offsets_bad_.clear(), metadata_bad_.clear();
  }

  // A value that is not what its place wants (at depth 2: a field's value; at depth 3: a list item).
  void wrong_type() {
    if (depth_ == 2 && in_object_) {
      if (is_metadata_) {
        if (metadata_bad_.empty()) metadata_bad_ = fmt::format("`__metadata__.{}` is not a string", key_);
      } else if (field_ == Field::Dtype) {
        dtype_bad_ = true;
      } else if (field_ == Field::Shape) {
        has_shape_ = false;
      } else if (field_ == Field::Offsets) {
        has_offsets_ = false;
      }
    } else if (depth_ == 3 && in_list_) {
      if (field_ == Field::Shape && shape_bad_.empty()) shape_bad_ = "shape has a non-integer dimension";
      if (field_ == Field::Offsets) {
        int k = offsets_++;
        if (k < 2 && offsets_bad_.empty()) offsets_bad_ = fmt::format("data_offsets[{}] is not an integer", k);
      }
    }
  }
  bool open(bool object) {
    if (depth_ == 1) in_object_ = object;  // an entry's value
    else wrong_type();
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    if (depth_ == 2) in_list_ = false;
    if (depth_ == 1) finish_entry();
    return true;
  }
  bool scalar() {
    if (depth_ == 1) {
      in_object_ = false;
      finish_entry();
    } else {
      wrong_type();
    }
    return true;
  }
  bool number(std::optional<uint64_t> u, int64_t negative) {
    if (depth_ != 3 || !in_list_) return scalar();
    if (field_ == Field::Shape) {
      if (!shape_bad_.empty()) return true;
      if (!u) shape_bad_ = fmt::format("shape has a negative dimension ({})", negative);
      else if (*u > static_cast<uint64_t>(INT64_MAX)) shape_bad_ = "shape dimension overflows 64 bits";
      else if (__builtin_mul_overflow(elements_, *u, &elements_)) shape_bad_ = "element count overflows 64 bits";
      else cur().shape.push_back(static_cast<int64_t>(*u));
      return true;
    }
    int k = offsets_++;
    if (k < 2 && offsets_bad_.empty()) {
      if (!u) offsets_bad_ = fmt::format("data_offsets[{}] is negative ({})", k, negative);
      else (k == 0 ? cur().begin : cur().end) = *u;
    }
    return true;
  }

  // Validates the entry just closed, in the order the checks always had.
  void finish_entry() {
    TensorInfo& t = cur();
    auto error = [&](std::string what) { errors.emplace_back(static_cast<uint32_t>(entries.size() - 1), std::move(what)); };
    if (is_metadata_) {
      if (!in_object_) error("`__metadata__` is not an object");
      else if (!metadata_bad_.empty()) error(metadata_bad_);
      return;
    }
    auto where = [&](std::string_view what) { error(fmt::format("tensor `{}`: {}", t.name, what)); };
    if (!in_object_) return where("entry is not an object");
    if (!has_dtype_ || dtype_bad_) return where("`dtype` is missing or not a string");
    if (!has_shape_) return where("`shape` is missing or not an array");
    if (!has_offsets_ || offsets_ != 2) return where("`data_offsets` is missing or not a [begin, end] pair");
    const DTypeInfo* info = find_dtype(t.dtype);
    if (!info) return where(fmt::format("unknown dtype `{}`", t.dtype));
    t.bits = info->bits;
    if (!shape_bad_.empty()) return where(shape_bad_);
    t.elements = elements_;
    uint64_t bits;
    if (__builtin_mul_overflow(t.elements, static_cast<uint64_t>(t.bits), &bits))
      return where("byte size overflows 64 bits");
    if (bits % 8 != 0)
      return where(fmt::format("{} elements of {} ({} bits) do not fill whole bytes", t.elements, t.dtype, t.bits));
    if (!offsets_bad_.empty()) return where(offsets_bad_);
    if (t.end < t.begin) return where(fmt::format("data_offsets [{}, {}] are out of order", t.begin, t.end));
    if (t.end - t.begin != bits / 8)
      where(fmt::format("data_offsets [{}, {}] hold {} bytes but {} x {} needs {}", t.begin, t.end, t.end - t.begin,
                        t.dtype, fmt::join(t.shape, "x"), bits / 8));
  }
};
// The entries' indices in name order (ties in header order). Names in one checkpoint share long prefixes
// ("model.layers."), so each is keyed first by the 8 bytes after the prefix all names share: most comparisons are
// then one integer comparison instead of a string comparison (a 100 MB header holds over a million names).
std::vector<uint32_t> name_order(const std::vector<TensorInfo>& es) {
  size_t common = es.empty() ? 0 : es.front().name.size();
  for (const TensorInfo& e : es) {
    const std::string& n = e.name;
    const std::string& f = es.front().name;
    size_t k = 0;
    while (k < common && k < n.size() && n[k] == f[k]) ++k;
    common = k;
  }
  struct Keyed {
    uint64_t key;
    uint32_t index;
  };
  std::vector<Keyed> order(es.size());
  for (uint32_t k = 0; k < order.size(); ++k) {
    const std::string& n = es[k].name;
    uint64_t key = 0;
    for (size_t b = 0; b < 8; ++b)
      key = (key << 8) | (common + b < n.size() ? static_cast<unsigned char>(n[common + b]) : 0u);
    order[k] = {key, k};
  }
  std::sort(order.begin(), order.end(), [&](const Keyed& a, const Keyed& b) {
    if (a.key != b.key) return a.key < b.key;
    int c = es[a.index].name.compare(common, std::string::npos, es[b.index].name, common, std::string::npos);
    return c != 0 ? c < 0 : a.index < b.index;
  });
  std::vector<uint32_t> out(order.size());
  for (size_t k = 0; k < order.size(); ++k) out[k] = order[k].index;
  return out;
}

}  // namespace

Result<Header> parse_header(std::string_view json, std::optional<uint64_t> data_bytes, std::string_view origin) {
  auto bad = [&](std::string msg) { return fail(ErrorKind::BadInput, fmt::format("{}: {}", origin, msg)); };
  if (json.empty() || json.front() != '{') return bad("safetensors header is not a JSON object");
  if (too_deep(json)) return bad(fmt::format("safetensors header nests deeper than {} levels", kMaxDepth));
  // Machine-written headers are plain JSON, which the fast scanner reads; anything else (escapes, non-ASCII names,
  // floats in metadata, syntax errors) is read again by nlohmann's parser, which also words the errors.
  HeaderSax sax;
  // An entry takes at least ~50 bytes of JSON (name, dtype, shape, offsets): room for all of them up front, so that
  // the vector never moves a million entries while growing (reserving touches no memory).
  sax.entries.reserve(json.size() / 48 + 1);
  if (!scan_plain_json(json, sax, kMaxDepth)) {
    sax = HeaderSax{};
    bool ok = false;
    try {
      ok = Json::sax_parse(json.begin(), json.end(), &sax);
    } catch (const Json::exception& e) {
      return bad(fmt::format("malformed safetensors header: {}", e.what()));
    }
    if (!ok) return std::unexpected(json_syntax_error(json, origin, sax.error_byte, sax.syntax_error));
  }
  // Entries in name order (what iterating a JSON object gives); equal neighbours are a name given twice, which
  // safetensors rejects.
  std::vector<TensorInfo>& es = sax.entries;
  std::vector<uint32_t> by_name = name_order(es);
  for (size_t k = 1; k < by_name.size(); ++k)
    if (es[by_name[k]].name == es[by_name[k - 1]].name)
      return bad(fmt::format("safetensors header names tensor `{}` twice", es[by_name[k]].name));
  // The first problem in name order: an entry's own (kept aside while parsing), or offsets past the data region.
  std::vector<uint32_t> rank(es.size());  // entry (header order) -> its place in name order
  for (uint32_t k = 0; k < by_name.size(); ++k) rank[by_name[k]] = k;
  const std::string* first_error = nullptr;
  uint32_t first_rank = UINT32_MAX;
  for (const auto& [entry, message] : sax.errors)
    if (rank[entry] < first_rank) first_rank = rank[entry], first_error = &message;
  const uint32_t metadata = sax.metadata_entry;
  if (data_bytes)
    for (uint32_t k = 0; k < by_name.size() && k < first_rank; ++k) {
      const TensorInfo& t = es[by_name[k]];
      if (by_name[k] != metadata && t.end > *data_bytes)
        return bad(fmt::format("tensor `{}`: data_offsets [{}, {}] run past the data region ({} bytes)", t.name,
                               t.begin, t.end, *data_bytes));
    }
  if (first_error) return bad(*first_error);
  // Put the entries in name order in place (following each cycle of the permutation; no second copy of a million
  // tensors), then drop the __metadata__ slot.
  for (uint32_t start = 0; start < by_name.size(); ++start) {
    if (by_name[start] == start) continue;
    TensorInfo held = std::move(es[start]);
    uint32_t at = start;
    while (by_name[at] != start) {
      uint32_t from = by_name[at];
      es[at] = std::move(es[from]);
      by_name[at] = at;
      at = from;
    }
    es[at] = std::move(held);
    by_name[at] = at;
  }
  by_name = {};
  uint32_t metadata_rank = metadata == UINT32_MAX ? UINT32_MAX : rank[metadata];
  if (metadata != UINT32_MAX) es.erase(es.begin() + metadata_rank);
  Header h;
  h.header_bytes = json.size();
  h.tensors = std::move(es);
  h.metadata = std::move(sax.metadata);
  // The offsets must tile [0, data_bytes): sorted by begin, each starts where the previous ended. Writers usually
  // list the tensors in offset order, so the sort is skipped when the header order already is.
  std::vector<const TensorInfo*> order;  // the tensors in header order
  order.reserve(h.tensors.size());
  for (uint32_t k = 0; k < rank.size(); ++k)
    if (k != metadata) order.push_back(&h.tensors[rank[k] - (metadata_rank != UINT32_MAX && rank[k] > metadata_rank)]);
  rank = {};
  auto by_offset = [](auto* a, auto* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; };
  if (!std::is_sorted(order.begin(), order.end(), by_offset)) {
    for (size_t k = 0; k < order.size(); ++k) order[k] = &h.tensors[k];  // name order, then by offset
    std::stable_sort(order.begin(), order.end(), by_offset);
  }
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
