// Safetensors files (huggingface/safetensors format): the 8-byte little-endian header length, the JSON header with
// every tensor's dtype, shape and data_offsets, fully validated; and a writer (sparse data region) for tests.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "format/file_io.h"

namespace memfit::safetensors {

// One stored element type: its safetensors name and its size in bits (4 for F4, 6 for F6_*, 8 for BOOL).
struct DTypeInfo {
  std::string_view name;
  int bits;
};
// Every dtype the safetensors format defines (BOOL ... C64, sub-byte F4/F6, F8_E8M0, FNUZ variants).
const std::vector<DTypeInfo>& dtypes();
// The dtype named exactly `name` (case-sensitive, as in the header), or nullptr.
const DTypeInfo* find_dtype(std::string_view name);

// The safetensors library's own cap on the JSON header (MAX_HEADER_SIZE).
inline constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct TensorInfo {
  std::string name;
  std::string dtype;
  int bits = 0;                 // per element
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // data_offsets, relative to the data region, end exclusive
  uint64_t elements = 0;        // product of shape (1 for a 0-rank scalar)
  uint64_t bytes() const { return end - begin; }
};

struct Header {
  uint64_t header_bytes = 0;  // N, the JSON length (the data region starts at 8 + N)
  uint64_t data_bytes = 0;    // the data region's size as the offsets cover it
  std::vector<TensorInfo> tensors;              // in header order
  std::map<std::string, std::string> metadata;  // __metadata__
};

// Reads the 8-byte length prefix and checks it against the file size (when known) and kMaxHeaderBytes.
Result<uint64_t> parse_length(std::string_view first8, std::optional<uint64_t> file_size, std::string_view origin);
// Parses and validates the JSON header. `data_bytes` = file size - 8 - N when the file size is known: the offsets
// must then cover exactly the data region (the format allows no holes and no trailing bytes).
Result<Header> parse_header(std::string_view json, std::optional<uint64_t> data_bytes, std::string_view origin);

using RangeReader = memfit::RangeReader;  // see format/file_io.h
// Reads and validates the header through `read` (two reads: the prefix, then the JSON).
Result<Header> read_header(const RangeReader& read, std::optional<uint64_t> file_size, std::string_view origin);
// Reads and validates a local file's header.
Result<Header> read_file(const std::string& path);

// A tensor to write: name, dtype name and shape; its bytes follow from the dtype's bits (rounded up to a byte).
struct WriteTensor {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
};
// Writes a valid safetensors file whose data region is a sparse hole (ftruncate): a 70B checkpoint costs no disk.
Result<void> write_file(const std::string& path, const std::vector<WriteTensor>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace memfit::safetensors
