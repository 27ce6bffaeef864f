// Mirrors ggml's gguf reader (ggml/src/gguf.cpp: gguf_init_from_file_impl) and the type table of
// ggml/src/ggml-common.h; every count read from the file is checked against the bytes left before it is used.
#include "format/gguf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include <fmt/format.h>

namespace memfit::gguf {

namespace {

struct ReadError {
  std::string msg;
};

size_t scalar_size(ValueType t) {
  switch (t) {
    case ValueType::U8: case ValueType::I8: case ValueType::Bool: return 1;
    case ValueType::U16: case ValueType::I16: return 2;
    case ValueType::U32: case ValueType::I32: case ValueType::F32: return 4;
    case ValueType::U64: case ValueType::I64: case ValueType::F64: return 8;
    default: return 0;
  }
}

// Sequential reader over a RangeReader with a read-ahead buffer; every read is checked against the file size.
class Cursor {
 public:
  Cursor(const RangeReader& rd, uint64_t size, uint64_t ahead) : rd_(rd), size_(size), ahead_(std::max<uint64_t>(ahead, 1)) {}
  uint64_t pos() const { return pos_; }
  uint64_t left() const { return size_ - pos_; }

  std::string_view take(uint64_t n, std::string_view what) {
    if (n > left())
      throw ReadError{fmt::format("truncated: {} needs {} bytes at offset {}, the file has {} left", what, n, pos_,
                                  left())};
    if (pos_ < buf_off_ || pos_ + n > buf_off_ + buf_.size()) {
      uint64_t want = std::min<uint64_t>(std::max<uint64_t>(n, ahead_), left());
      auto r = rd_(pos_, want);
      if (!r) throw ReadError{r.error().message};
      if (r->size() < n) throw ReadError{fmt::format("truncated: {} at offset {}", what, pos_)};
      buf_ = std::move(*r);
      buf_off_ = pos_;
    }
    std::string_view v(buf_.data() + (pos_ - buf_off_), n);
    pos_ += n;
    return v;
  }
  template <class T>
  T num(std::string_view what) {
    auto v = take(sizeof(T), what);
    T x;
    std::memcpy(&x, v.data(), sizeof(T));  // GGUF is little-endian, as is every host memfit targets
    return x;
  }

 private:
  const RangeReader& rd_;
  uint64_t size_;
  uint64_t ahead_;
  uint64_t pos_ = 0;
  std::string buf_;
  uint64_t buf_off_ = 0;
};

class Parser {
 public:
  Parser(Cursor& c, const Limits& l) : c_(c), l_(l) {}

  std::string str(std::string_view what, uint64_t cap) {
    uint64_t n = c_.num<uint64_t>(what);
    if (n > cap) throw ReadError{fmt::format("{}: string length {} exceeds the limit of {}", what, n, cap)};
    if (n > c_.left())
      throw ReadError{fmt::format("{}: string length {} runs past the end of the file", what, n)};
    charge(n, what);
    return std::string(c_.take(n, what));
  }

  Value value(ValueType t, std::string_view key, int depth) {
    Value v;
    v.type = t;
    switch (t) {
      case ValueType::U8: v.u = c_.num<uint8_t>(key); break;
      case ValueType::I8: v.i = c_.num<int8_t>(key); break;
      case ValueType::U16: v.u = c_.num<uint16_t>(key); break;
      case ValueType::I16: v.i = c_.num<int16_t>(key); break;
      case ValueType::U32: v.u = c_.num<uint32_t>(key); break;
      case ValueType::I32: v.i = c_.num<int32_t>(key); break;
      case ValueType::U64: v.u = c_.num<uint64_t>(key); break;
      case ValueType::I64: v.i = c_.num<int64_t>(key); break;
      case ValueType::F32: v.f = c_.num<float>(key); break;
      case ValueType::F64: v.f = c_.num<double>(key); break;
      case ValueType::Bool: {
        uint8_t b = c_.num<uint8_t>(key);
        if (b > 1) throw ReadError{fmt::format("`{}`: bool value {} is neither 0 nor 1", key, b)};
        v.b = b != 0;
        break;
      }
      case ValueType::String: v.s = str(key, l_.max_string); break;
      case ValueType::Array: {
        if (depth >= l_.max_depth)
          throw ReadError{fmt::format("`{}`: arrays nest deeper than {} levels", key, l_.max_depth)};
        uint32_t et = c_.num<uint32_t>(key);
        if (et > static_cast<uint32_t>(ValueType::F64))
          throw ReadError{fmt::format("`{}`: unknown array element type {}", key, et)};
        v.elem = static_cast<ValueType>(et);
        v.count = c_.num<uint64_t>(key);
        if (v.count > l_.max_array)
          throw ReadError{fmt::format("`{}`: array count {} exceeds the limit of {}", key, v.count, l_.max_array)};
        // Smallest encoding of one element: its scalar size, 8 for a string's length, 12 for a nested array.
        uint64_t min = v.elem == ValueType::String ? 8 : v.elem == ValueType::Array ? 12 : scalar_size(v.elem);
        if (v.count > c_.left() / min)
          throw ReadError{fmt::format("`{}`: array count {} cannot fit in the {} bytes left", key, v.count,
                                      c_.left())};
        if (v.elem == ValueType::String) {
          charge(v.count * sizeof(std::string), key);
          v.strings.reserve(v.count);
          for (uint64_t k = 0; k < v.count; ++k) v.strings.push_back(str(key, l_.max_string));
        } else if (v.elem == ValueType::Array) {
          charge(v.count * sizeof(Value), key);
          v.items.reserve(v.count);
          for (uint64_t k = 0; k < v.count; ++k) v.items.push_back(value(ValueType::Array, key, depth + 1));
        } else {
          uint64_t n = v.count * min;
          charge(n, key);
          v.raw = std::string(c_.take(n, key));
          if (v.elem == ValueType::Bool)
            for (char ch : v.raw)
              if (static_cast<uint8_t>(ch) > 1) throw ReadError{fmt::format("`{}`: bool array value {}", key, +ch)};
        }
        break;
      }
    }
    return v;
  }

 private:
  void charge(uint64_t n, std::string_view what) {
    held_ += n;
    if (held_ > l_.max_metadata)
      throw ReadError{fmt::format("{}: metadata exceeds the limit of {} bytes", what, l_.max_metadata)};
  }
  Cursor& c_;
  const Limits& l_;
  uint64_t held_ = 0;
};

template <class T>
void put(std::string& out, T x) {
  char b[sizeof(T)];
  std::memcpy(b, &x, sizeof(T));
  out.append(b, sizeof(T));
}
void put_str(std::string& out, std::string_view s) {
  put<uint64_t>(out, s.size());
  out.append(s);
}
void put_value(std::string& out, const Value& v) {
  switch (v.type) {
    case ValueType::U8: put<uint8_t>(out, static_cast<uint8_t>(v.u)); break;
    case ValueType::I8: put<int8_t>(out, static_cast<int8_t>(v.i)); break;
    case ValueType::U16: put<uint16_t>(out, static_cast<uint16_t>(v.u)); break;
    case ValueType::I16: put<int16_t>(out, static_cast<int16_t>(v.i)); break;
    case ValueType::U32: put<uint32_t>(out, static_cast<uint32_t>(v.u)); break;
    case ValueType::I32: put<int32_t>(out, static_cast<int32_t>(v.i)); break;
    case ValueType::U64: put<uint64_t>(out, v.u); break;
    case ValueType::I64: put<int64_t>(out, v.i); break;
    case ValueType::F32: put<float>(out, static_cast<float>(v.f)); break;
    case ValueType::F64: put<double>(out, v.f); break;
    case ValueType::Bool: put<uint8_t>(out, v.b ? 1 : 0); break;
    case ValueType::String: put_str(out, v.s); break;
    case ValueType::Array:
      put<uint32_t>(out, static_cast<uint32_t>(v.elem));
      put<uint64_t>(out, v.count);
      if (v.elem == ValueType::String) for (const auto& s : v.strings) put_str(out, s);
      else if (v.elem == ValueType::Array) for (const auto& it : v.items) put_value(out, it);
      else out.append(v.raw);
      break;
  }
}

}  // namespace

std::string_view type_name(ValueType t) {
  static constexpr std::string_view k[] = {"UINT8", "INT8",   "UINT16", "INT16",  "UINT32", "INT32", "FLOAT32",
                                           "BOOL",  "STRING", "ARRAY",  "UINT64", "INT64",  "FLOAT64"};
  auto i = static_cast<size_t>(t);
  return i < std::size(k) ? k[i] : "?";
}

std::optional<int64_t> Value::as_int() const {
  switch (type) {
    case ValueType::U8: case ValueType::U16: case ValueType::U32: case ValueType::U64:
      if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<int64_t>(u);
    case ValueType::I8: case ValueType::I16: case ValueType::I32: case ValueType::I64: return i;
    case ValueType::Bool: return b ? 1 : 0;
    default: return std::nullopt;
  }
}

std::optional<std::vector<int64_t>> Value::as_ints() const {
  if (type != ValueType::Array) {
    auto x = as_int();
    if (!x) return std::nullopt;
    return std::vector<int64_t>{*x};
  }
  size_t sz = scalar_size(elem);
  if (sz == 0 || elem == ValueType::F32 || elem == ValueType::F64) return std::nullopt;
  std::vector<int64_t> out;
  out.reserve(count);
  for (uint64_t k = 0; k < count; ++k) {
    const char* p = raw.data() + k * sz;
    int64_t x = 0;
    switch (elem) {
      case ValueType::U8: case ValueType::Bool: x = static_cast<uint8_t>(*p); break;
      case ValueType::I8: x = static_cast<int8_t>(*p); break;
      case ValueType::U16: { uint16_t y; std::memcpy(&y, p, 2); x = y; break; }
      case ValueType::I16: { int16_t y; std::memcpy(&y, p, 2); x = y; break; }
      case ValueType::U32: { uint32_t y; std::memcpy(&y, p, 4); x = y; break; }
      case ValueType::I32: { int32_t y; std::memcpy(&y, p, 4); x = y; break; }
      case ValueType::U64: {
        uint64_t y; std::memcpy(&y, p, 8);
        if (y > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
        x = static_cast<int64_t>(y); break;
      }
      case ValueType::I64: std::memcpy(&x, p, 8); break;
      default: return std::nullopt;
    }
    out.push_back(x);
  }
  return out;
}

std::string Value::brief() const {
  switch (type) {
    case ValueType::String: return s.size() > 80 ? s.substr(0, 77) + "..." : s;
    case ValueType::F32: case ValueType::F64: return fmt::format("{}", f);
    case ValueType::Bool: return b ? "true" : "false";
    case ValueType::Array: return fmt::format("[{} x {}]", type_name(elem), count);
    default: {
      if (auto x = as_int()) return std::to_string(*x);
      return std::to_string(u);
    }
  }
}

Value Value::of_u32(uint32_t x) { Value v; v.type = ValueType::U32; v.u = x; return v; }
Value Value::of_u64(uint64_t x) { Value v; v.type = ValueType::U64; v.u = x; return v; }
Value Value::of_i32(int32_t x) { Value v; v.type = ValueType::I32; v.i = x; return v; }
Value Value::of_f32(float x) { Value v; v.type = ValueType::F32; v.f = x; return v; }
Value Value::of_bool(bool x) { Value v; v.type = ValueType::Bool; v.b = x; return v; }
Value Value::of_string(std::string x) { Value v; v.type = ValueType::String; v.s = std::move(x); return v; }
Value Value::of_i32_array(const std::vector<int32_t>& xs) {
  Value v;
  v.type = ValueType::Array;
  v.elem = ValueType::I32;
  v.count = xs.size();
  for (auto x : xs) put<int32_t>(v.raw, x);
  return v;
}
Value Value::of_string_array(std::vector<std::string> xs) {
  Value v;
  v.type = ValueType::Array;
  v.elem = ValueType::String;
  v.count = xs.size();
  v.strings = std::move(xs);
  return v;
}
Value Value::of_array_array(std::vector<Value> arrays) {
  Value v;
  v.type = ValueType::Array;
  v.elem = ValueType::Array;
  v.count = arrays.size();
  v.items = std::move(arrays);
  return v;
}

const std::vector<GgmlType>& ggml_types() {
  static const std::vector<GgmlType> k{
      {0, "F32", 1, 4},         {1, "F16", 1, 2},        {2, "Q4_0", 32, 18},      {3, "Q4_1", 32, 20},
      {6, "Q5_0", 32, 22},      {7, "Q5_1", 32, 24},     {8, "Q8_0", 32, 34},      {9, "Q8_1", 32, 36},
      {10, "Q2_K", 256, 84},    {11, "Q3_K", 256, 110},  {12, "Q4_K", 256, 144},   {13, "Q5_K", 256, 176},
      {14, "Q6_K", 256, 210},   {15, "Q8_K", 256, 292},  {16, "IQ2_XXS", 256, 66}, {17, "IQ2_XS", 256, 74},
      {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},  {20, "IQ4_NL", 32, 18},   {21, "IQ3_S", 256, 110},
      {22, "IQ2_S", 256, 82},   {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1},        {25, "I16", 1, 2},
      {26, "I32", 1, 4},        {27, "I64", 1, 8},       {28, "F64", 1, 8},        {29, "IQ1_M", 256, 56},
      {30, "BF16", 1, 2},       {34, "TQ1_0", 256, 54},  {35, "TQ2_0", 256, 66},   {39, "MXFP4", 32, 17},
      {40, "NVFP4", 64, 36},    {41, "Q1_0", 128, 18},   {42, "Q2_0", 64, 18},
  };
  return k;
}

const GgmlType* find_ggml_type(uint32_t id) {
  for (const auto& t : ggml_types())
    if (t.id == id) return &t;
  return nullptr;
}

std::string file_type_name(uint32_t ftype) {
  static const std::pair<uint32_t, std::string_view> k[] = {
      {0, "F32"},       {1, "F16"},      {2, "Q4_0"},     {3, "Q4_1"},     {4, "Q4_1_SOME_F16"},
      {7, "Q8_0"},      {8, "Q5_0"},     {9, "Q5_1"},     {10, "Q2_K"},    {11, "Q3_K_S"},
      {12, "Q3_K_M"},   {13, "Q3_K_L"},  {14, "Q4_K_S"},  {15, "Q4_K_M"},  {16, "Q5_K_S"},
      {17, "Q5_K_M"},   {18, "Q6_K"},    {19, "IQ2_XXS"}, {20, "IQ2_XS"},  {21, "Q2_K_S"},
      {22, "IQ3_XS"},   {23, "IQ3_XXS"}, {24, "IQ1_S"},   {25, "IQ4_NL"},  {26, "IQ3_S"},
      {27, "IQ3_M"},    {28, "IQ2_S"},   {29, "IQ2_M"},   {30, "IQ4_XS"},  {31, "IQ1_M"},
      {32, "BF16"},     {33, "Q4_0_4_4"}, {34, "Q4_0_4_8"}, {35, "Q4_0_8_8"}, {36, "TQ1_0"},
      {37, "TQ2_0"},    {38, "MXFP4_MOE"}, {39, "NVFP4"},  {40, "Q1_0"},    {41, "Q2_0"},
  };
  uint32_t base = ftype & ~1024u;
  std::string suffix = (ftype & 1024u) ? " (guessed)" : "";
  for (const auto& [id, name] : k)
    if (id == base) return std::string(name) + suffix;
  return fmt::format("unknown ({})", ftype);
}

const Value* File::find(std::string_view key) const {
  for (const auto& [k, v] : metadata)
    if (k == key) return &v;
  return nullptr;
}
std::optional<int64_t> File::get_int(std::string_view key) const {
  const Value* v = find(key);
  return v ? v->as_int() : std::nullopt;
}
std::optional<std::string> File::get_string(std::string_view key) const {
  const Value* v = find(key);
  if (!v || v->type != ValueType::String) return std::nullopt;
  return v->s;
}

Result<File> read(const RangeReader& rd, uint64_t file_size, std::string_view origin, const Limits& l) {
  Cursor c(rd, file_size, l.read_ahead);
  Parser p(c, l);
  File f;
  f.file_size = file_size;
  try {
    if (file_size < 4 || c.take(4, "magic") != "GGUF") throw ReadError{"not a GGUF file (no GGUF magic)"};
    f.version = c.num<uint32_t>("version");
    if (f.version == 1) throw ReadError{"GGUF version 1 is not supported (only 2 and 3)"};
    if (f.version != 2 && f.version != 3) throw ReadError{fmt::format("unsupported GGUF version {}", f.version)};
    uint64_t n_tensors = c.num<uint64_t>("tensor count");
    uint64_t n_kv = c.num<uint64_t>("metadata count");
    // A key-value pair takes at least 8 + 4 + 1 bytes, a tensor info at least 8 + 4 + 4 + 8.
    // Past the caps a count is absurd; within them but beyond what the file holds, the file is cut short.
    if (n_kv > l.max_kv) throw ReadError{fmt::format("absurd metadata count {}", n_kv)};
    if (n_tensors > l.max_tensors) throw ReadError{fmt::format("absurd tensor count {}", n_tensors)};
    if (n_kv > c.left() / 13)
      throw ReadError{fmt::format("truncated: {} metadata entries need at least {} bytes, the file has {} left", n_kv,
                                  n_kv * 13, c.left())};
    if (n_tensors > c.left() / 24)
      throw ReadError{fmt::format("truncated: {} tensor infos need at least {} bytes, the file has {} left",
                                  n_tensors, n_tensors * 24, c.left())};
    std::set<std::string, std::less<>> keys;
    for (uint64_t k = 0; k < n_kv; ++k) {
      std::string key = p.str("metadata key", 65535);
      if (!keys.insert(key).second) throw ReadError{fmt::format("duplicate metadata key `{}`", key)};
      uint32_t t = c.num<uint32_t>(key);
      if (t > static_cast<uint32_t>(ValueType::F64)) throw ReadError{fmt::format("`{}`: unknown value type {}", key, t)};
      Value v = p.value(static_cast<ValueType>(t), key, 0);
      f.metadata.emplace_back(std::move(key), std::move(v));
    }
    if (const Value* a = f.find("general.alignment")) {
      if (a->type != ValueType::U32) throw ReadError{"general.alignment is not a UINT32"};
      if (a->u == 0 || (a->u & (a->u - 1)) != 0)
        throw ReadError{fmt::format("general.alignment {} is not a power of two", a->u)};
      f.alignment = a->u;
    }
    std::set<std::string, std::less<>> names;
    f.tensors.reserve(n_tensors);
    for (uint64_t k = 0; k < n_tensors; ++k) {
      TensorInfo t;
      t.name = p.str("tensor name", 65535);
      if (!names.insert(t.name).second) throw ReadError{fmt::format("duplicate tensor `{}`", t.name)};
      uint32_t nd = c.num<uint32_t>(t.name);
      if (nd > 4) throw ReadError{fmt::format("tensor `{}`: {} dimensions (at most 4)", t.name, nd)};
      t.elements = 1;
      for (uint32_t d = 0; d < nd; ++d) {
        uint64_t x = c.num<uint64_t>(t.name);
        if (x > static_cast<uint64_t>(INT64_MAX))
          throw ReadError{fmt::format("tensor `{}`: dimension {} is negative or absurd", t.name, x)};
        if (__builtin_mul_overflow(t.elements, x, &t.elements))
          throw ReadError{fmt::format("tensor `{}`: element count overflows 64 bits", t.name)};
        t.dims.push_back(x);
      }
      t.type = c.num<uint32_t>(t.name);
      const GgmlType* gt = find_ggml_type(t.type);
      if (!gt) throw ReadError{fmt::format("tensor `{}`: unknown or removed ggml type {}", t.name, t.type)};
      t.type_name = gt->name;
      if (!t.dims.empty() && t.dims[0] % gt->block != 0)
        throw ReadError{fmt::format("tensor `{}`: row of {} elements is not a multiple of the {} block size {}",
                                    t.name, t.dims[0], gt->name, gt->block)};
      if (t.dims.empty() && gt->block != 1)
        throw ReadError{fmt::format("tensor `{}`: a scalar cannot be {}", t.name, gt->name)};
      if (__builtin_mul_overflow(t.elements / gt->block, static_cast<uint64_t>(gt->bytes), &t.bytes))
        throw ReadError{fmt::format("tensor `{}`: byte size overflows 64 bits", t.name)};
      t.offset = c.num<uint64_t>(t.name);
      if (t.offset % f.alignment != 0)
        throw ReadError{fmt::format("tensor `{}`: offset {} is not a multiple of the alignment {}", t.name, t.offset,
                                    f.alignment)};
      f.tensors.push_back(std::move(t));
    }
    uint64_t end = c.pos();
    f.data_offset = (end + f.alignment - 1) / f.alignment * f.alignment;
    if (f.data_offset < end || (f.data_offset > file_size && !f.tensors.empty()))
      throw ReadError{"truncated: the file ends before its tensor data"};
    uint64_t data = file_size > f.data_offset ? file_size - f.data_offset : 0;
    std::vector<const TensorInfo*> order;
    for (const auto& t : f.tensors) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
    uint64_t pos = 0;
    for (const auto* t : order) {
      if (t->offset < pos)
        throw ReadError{fmt::format("tensor `{}`: data at offset {} overlaps the previous tensor", t->name,
                                    t->offset)};
      if (t->offset > data || t->bytes > data - t->offset)
        throw ReadError{fmt::format("truncated: tensor `{}` ({} bytes at data offset {}) runs past the end of the "
                                    "file", t->name, t->bytes, t->offset)};
      pos = t->offset + t->bytes;
    }
  } catch (const ReadError& e) {
    return fail(ErrorKind::BadInput, fmt::format("{}: {}", origin, e.msg));
  }
  return f;
}

Result<File> read_file(const std::string& path, const Limits& limits) {
  Result<File> f = fail(ErrorKind::Internal, "not read");
  auto opened =
      with_local_file(path, [&](const RangeReader& rd, uint64_t size) { f = read(rd, size, path, limits); });
  if (!opened) return std::unexpected(opened.error());
  return f;
}

std::optional<int64_t> ArchInfo::at_layer(const std::vector<int64_t>& v, size_t l) {
  if (v.empty()) return std::nullopt;
  if (v.size() == 1) return v[0];
  if (l < v.size()) return v[l];
  return std::nullopt;
}

ArchInfo arch_info(const File& f) {
  ArchInfo a;
  a.architecture = f.get_string("general.architecture").value_or("");
  a.name = f.get_string("general.name").value_or("");
  if (auto ft = f.get_int("general.file_type"); ft && *ft >= 0 && *ft <= UINT32_MAX)
    a.file_type = static_cast<uint32_t>(*ft);
  const std::string p = a.architecture + ".";
  auto geti = [&](std::string_view k) { return f.get_int(p + std::string(k)); };
  auto getv = [&](std::string_view k) {
    const Value* v = f.find(p + std::string(k));
    if (!v) return std::vector<int64_t>{};
    return v->as_ints().value_or(std::vector<int64_t>{});
  };
  a.block_count = geti("block_count");
  a.context_length = geti("context_length");
  a.embedding_length = geti("embedding_length");
  a.expert_count = geti("expert_count");
  a.expert_used_count = geti("expert_used_count");
  a.key_length = geti("attention.key_length");
  a.value_length = geti("attention.value_length");
  a.sliding_window = geti("attention.sliding_window");
  a.vocab_size = geti("vocab_size");
  if (!a.vocab_size)
    if (const Value* t = f.find("tokenizer.ggml.tokens"); t && t->type == ValueType::Array)
      a.vocab_size = static_cast<int64_t>(t->count);
  a.feed_forward_length = getv("feed_forward_length");
  a.head_count = getv("attention.head_count");
  a.head_count_kv = getv("attention.head_count_kv");
  return a;
}

std::optional<std::pair<int, int>> split_index(std::string_view name) {
  // ...-00001-of-00003.gguf
  constexpr std::string_view ext = ".gguf";
  if (!name.ends_with(ext) || name.size() < ext.size() + 16) return std::nullopt;
  std::string_view s = name.substr(name.size() - ext.size() - 15, 15);  // "00001-of-00003"  (5+4+5 = 14) + '-'
  if (s[0] != '-' || s.substr(6, 4) != "-of-") return std::nullopt;
  auto digits = [](std::string_view d, int& out) {
    out = 0;
    for (char ch : d) {
      if (ch < '0' || ch > '9') return false;
      out = out * 10 + (ch - '0');
    }
    return true;
  };
  int k, n;
  if (!digits(s.substr(1, 5), k) || !digits(s.substr(10, 5), n) || k < 1 || n < 1 || k > n) return std::nullopt;
  return std::pair{k, n};
}

Result<std::vector<std::string>> split_paths(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  std::string name = p.filename().string();
  auto idx = split_index(name);
  if (!idx) return std::vector<std::string>{path};
  std::string stem = name.substr(0, name.size() - 5 - 15);
  std::vector<std::string> out;
  for (int k = 1; k <= idx->second; ++k) {
    fs::path q = p.parent_path() / fmt::format("{}-{:05d}-of-{:05d}.gguf", stem, k, idx->second);
    std::error_code ec;
    if (!fs::is_regular_file(q, ec))
      return fail(ErrorKind::NotFound, fmt::format("{}: split part {} of {} is missing ({})", path, k, idx->second,
                                                   q.string()));
    out.push_back(q.string());
  }
  return out;
}

Result<void> write_file(const std::string& path, const std::vector<std::pair<std::string, Value>>& metadata,
                        const std::vector<WriteTensor>& tensors, uint32_t version, uint64_t alignment) {
  std::string out = "GGUF";
  put<uint32_t>(out, version);
  put<uint64_t>(out, tensors.size());
  put<uint64_t>(out, metadata.size());
  for (const auto& [k, v] : metadata) {
    put_str(out, k);
    put<uint32_t>(out, static_cast<uint32_t>(v.type));
    put_value(out, v);
  }
  uint64_t off = 0;
  for (const auto& t : tensors) {
    const GgmlType* gt = find_ggml_type(t.type);
    if (!gt) return fail(ErrorKind::Usage, fmt::format("write {}: unknown ggml type {}", path, t.type));
    put_str(out, t.name);
    put<uint32_t>(out, static_cast<uint32_t>(t.dims.size()));
    uint64_t n = 1;
    for (auto d : t.dims) {
      put<uint64_t>(out, d);
      n *= d;
    }
    put<uint32_t>(out, t.type);
    put<uint64_t>(out, off);
    off += (n / gt->block * gt->bytes + alignment - 1) / alignment * alignment;
  }
  while (out.size() % alignment) out.push_back('\0');
  return write_sparse(path, out, off);
}

}  // namespace memfit::gguf
