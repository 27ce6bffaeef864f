// `memfit inspect`: what a checkpoint really holds, from its file headers only (safetensors, sharded indexes,
// diffusers / sentence-transformers components, GGUF and split GGUF): tensors, bytes per dtype, parameters with
// packed quantized formats unpacked, quantization overhead, MoE experts.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace memfit::safetensors {
struct Header;
}
namespace memfit::gguf {
struct File;
}

namespace memfit::inspect {

// One tensor as stored, and what it means.
struct Tensor {
  std::string name;
  std::string dtype;           // safetensors dtype or ggml type name
  std::vector<int64_t> shape;  // as stored (GGUF: ne0 first)
  uint64_t elements = 0;       // stored elements
  uint64_t bytes = 0;          // data bytes
  uint64_t parameters = 0;     // weights it holds (packed formats unpacked; 0 for quantization overhead)
  bool overhead = false;       // scales / zeros / g_idx / absmax: quantization metadata, not parameters
  bool packed = false;         // qweight, weight_packed, _blocks, bnb 4-bit storage, NVFP4 uint8
  std::string component;       // "" for a single-model checkpoint
};

struct DTypeStat {
  uint64_t tensors = 0, elements = 0, bytes = 0;
};

struct FileStat {
  std::string path;
  uint64_t bytes = 0;         // file size
  uint64_t header_bytes = 0;  // bytes before the tensor data
  uint64_t tensors = 0;
  std::string component;
};

struct Component {
  std::string name;
  uint64_t tensors = 0, parameters = 0, bytes = 0;
};

struct Quantization {
  std::string method;  // "" (none), gptq, awq, compressed-tensors, fp8, mxfp4, nvfp4, bitsandbytes-4bit, ...
  int bits = 0;        // weight bits where the method has them
  uint64_t packed_tensors = 0, packed_parameters = 0;
  uint64_t overhead_tensors = 0, overhead_bytes = 0;
};

struct Group {
  uint64_t tensors = 0, parameters = 0, bytes = 0;
};
struct Moe {
  uint64_t experts = 0;                  // found in the tensors
  std::optional<int64_t> config_experts;  // from config.json / GGUF {arch}.expert_count
  std::optional<int64_t> experts_per_token;
  bool consistent = true;  // experts == config_experts (when the config says)
  Group routed, shared, other;
};

struct GgufInfo {
  uint32_t version = 0;
  std::string architecture;
  std::string file_type;  // "Q4_K_M", ...
  uint64_t alignment = 32;
  nlohmann::json hyperparameters;  // block_count, context_length, head_count_kv (scalar or per-layer), ...
};

struct Report {
  std::string source;
  std::string format;  // "safetensors" or "gguf"
  std::vector<FileStat> files;
  uint64_t tensors = 0, parameters = 0, total_bytes = 0;
  std::map<std::string, DTypeStat> dtypes;
  Quantization quantization;
  std::vector<Component> components;
  std::optional<Moe> moe;
  std::optional<uint64_t> index_total_size;  // metadata.total_size of the index(es), summed over components
  std::optional<GgufInfo> gguf;
  std::vector<std::string> notes;
  std::optional<uint64_t> fetched_bytes;  // Hub: bytes received (headers and small JSON files only)
  std::vector<Tensor> tensor_list;  // every tensor (not rendered; for callers and tests)
};

// Inspects a local .safetensors file, .gguf file (with its split siblings), *.safetensors.index.json, or a folder.
Result<Report> inspect_path(const std::string& path);

// Counts parameters, overhead and MoE groups over tensors already read; `config` is the model's config.json (or
// null). Exposed for the Hub reader and tests.
void summarize(Report& r, const nlohmann::json* config);

// Adds one file's tensors to the report (moved out of the header, which is left empty). For readers of any source.
void add_safetensors(Report& r, const std::string& path, uint64_t file_bytes, const std::string& component,
                     safetensors::Header&& h);
// Adds one GGUF file; the first part of the main model (component "") also sets r.gguf.
void add_gguf(Report& r, const std::string& path, const gguf::File& f, const std::string& component,
              bool first_part = true);

// Human bytes as accelerate's convert_bytes prints them but with honest binary units: "12.82 GiB".
std::string human_bytes(uint64_t b);

// Renderers: a box table, markdown, JSON (stable keys: files, tensors, parameters, total_bytes, dtypes,
// quantization, components, moe, index, gguf, notes) and CSV (one row per dtype plus a total row).
std::string render_table(const Report& r);
std::string render_markdown(const Report& r);
std::string render_json(const Report& r);
std::string render_csv(const Report& r);
nlohmann::json to_json(const Report& r);

}  // namespace memfit::inspect
