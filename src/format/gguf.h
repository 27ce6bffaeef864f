// GGUF files (ggml-org/ggml docs/gguf.md, versions 2 and 3): header, typed metadata (arrays of arrays too), tensor
// infos with every ggml type's block size and bytes, alignment, split files; bounded against hostile input; and a
// writer (sparse data region) for tests.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "format/safetensors.h"  // RangeReader

namespace memfit::gguf {

using RangeReader = safetensors::RangeReader;

// gguf_metadata_value_type.
enum class ValueType : uint32_t { U8 = 0, I8, U16, I16, U32, I32, F32, Bool, String, Array, U64, I64, F64 };
std::string_view type_name(ValueType t);

// One metadata value. Scalars in u/i/f/b/s; arrays keep their element type: numeric and bool arrays as the raw
// little-endian bytes (`raw`, decoded on demand), string arrays in `strings`, arrays of arrays in `items`.
struct Value {
  ValueType type = ValueType::U8;
  uint64_t u = 0;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  ValueType elem = ValueType::U8;  // arrays only
  uint64_t count = 0;              // arrays only
  std::string raw;
  std::vector<std::string> strings;
  std::vector<Value> items;

  // Integer value of an integer (or bool) scalar; nullopt otherwise.
  std::optional<int64_t> as_int() const;
  // A scalar integer as a one-element vector, or an integer array's elements; nullopt otherwise.
  std::optional<std::vector<int64_t>> as_ints() const;
  // Short human text: the scalar, the string, or "[type x count]".
  std::string brief() const;

  static Value of_u32(uint32_t x);
  static Value of_u64(uint64_t x);
  static Value of_i32(int32_t x);
  static Value of_f32(float x);
  static Value of_bool(bool x);
  static Value of_string(std::string x);
  static Value of_i32_array(const std::vector<int32_t>& xs);
  static Value of_string_array(std::vector<std::string> xs);
  static Value of_array_array(std::vector<Value> arrays);  // all of the same element type
};

// One ggml tensor type: id, name, elements per block and bytes per block (ggml-common.h, ANCHORS 5.1).
struct GgmlType {
  uint32_t id;
  std::string_view name;
  uint32_t block;
  uint32_t bytes;
};
const std::vector<GgmlType>& ggml_types();  // every type a current file can hold
const GgmlType* find_ggml_type(uint32_t id);
// llama_ftype as llama-quantize names it ("Q4_K_M", "MXFP4_MOE", ...); "(guessed)" suffix for the 1024 flag.
std::string file_type_name(uint32_t ftype);

struct TensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // ne0 first (contiguous)
  uint32_t type = 0;
  std::string_view type_name;
  uint64_t offset = 0;  // relative to the data section
  uint64_t elements = 0;
  uint64_t bytes = 0;
};

// Caps on what a header may claim; beyond them the file is rejected before anything is allocated.
struct Limits {
  uint64_t max_string = 64ull << 20;     // one string
  uint64_t max_array = 1ull << 24;       // elements in one array
  uint64_t max_metadata = 512ull << 20;  // bytes held for all values together
  uint64_t max_kv = 1ull << 20;
  uint64_t max_tensors = 1ull << 22;
  int max_depth = 8;  // arrays of arrays
  uint64_t read_ahead = 1ull << 20;  // bytes fetched per read (smaller for HTTP ranges)
};

struct File {
  uint32_t version = 0;
  uint64_t file_size = 0;
  std::vector<std::pair<std::string, Value>> metadata;  // in file order
  uint64_t alignment = 32;
  uint64_t data_offset = 0;  // where the tensor data section starts
  std::vector<TensorInfo> tensors;

  const Value* find(std::string_view key) const;
  std::optional<int64_t> get_int(std::string_view key) const;
  std::optional<std::string> get_string(std::string_view key) const;
};

// Reads the header (everything before the tensor data) through `read`, validating counts, lengths, nesting, types,
// dims, alignment and that every tensor lies inside the file without overlap.
Result<File> read(const RangeReader& read, uint64_t file_size, std::string_view origin, const Limits& limits = {});
Result<File> read_file(const std::string& path, const Limits& limits = {});

// The architecture and its hyper-parameters, from `general.architecture` and `{arch}.*` keys.
struct ArchInfo {
  std::string architecture;
  std::string name;  // general.name
  std::optional<uint32_t> file_type;
  std::optional<int64_t> block_count, context_length, embedding_length, expert_count, expert_used_count,
      key_length, value_length, sliding_window, vocab_size;
  std::vector<int64_t> feed_forward_length;  // scalar -> one element; per-layer arrays kept whole
  std::vector<int64_t> head_count;
  std::vector<int64_t> head_count_kv;
  // Value for layer `l` of a scalar-or-per-layer list (nullopt if empty or out of range).
  static std::optional<int64_t> at_layer(const std::vector<int64_t>& v, size_t l);
};
ArchInfo arch_info(const File& f);

// "-00001-of-00003.gguf" -> {1, 3}; nullopt for a name without the split suffix.
std::optional<std::pair<int, int>> split_index(std::string_view filename);
// The paths of all shards of the split `path` belongs to (itself alone when not split); NotFound if one is missing.
Result<std::vector<std::string>> split_paths(const std::string& path);

struct WriteTensor {
  std::string name;
  std::vector<uint64_t> dims;
  uint32_t type = 0;
};
// Writes a GGUF file (the given version, metadata and tensors, offsets padded to `alignment`) whose tensor data is a
// sparse hole. Set general.alignment in `metadata` yourself when it is not 32.
Result<void> write_file(const std::string& path, const std::vector<std::pair<std::string, Value>>& metadata,
                        const std::vector<WriteTensor>& tensors, uint32_t version = 3, uint64_t alignment = 32);

}  // namespace memfit::gguf
