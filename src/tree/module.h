// The module tree: what PyTorch builds on the `meta` device, without weights. Modules carry their class name,
// parameters and buffers (shape, dtype, persistence) and named children, in PyTorch's registration order.
// Identical repeated blocks may share one Module object (layers.0 ... layers.N-1 point at the same node);
// weight ties are explicit (`tied_to`), never inferred from object identity.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/dtype.h"

namespace memfit {

struct Tensor {
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
  bool persistent = true;  // buffers only: registered with persistent=False are not saved in checkpoints
  std::string tied_to;     // non-empty: same storage as that (earlier, full-named) parameter; counted once

  uint64_t numel() const;
  uint64_t bits() const { return numel() * static_cast<uint64_t>(dtype_bits(dtype)); }
};

struct Module;
using ModulePtr = std::shared_ptr<Module>;

struct Module {
  explicit Module(std::string cls_name) : cls(std::move(cls_name)) {}

  std::string cls;  // PyTorch class name, e.g. "BertLayer", "Linear", "ModuleList"
  std::vector<std::pair<std::string, Tensor>> params;
  std::vector<std::pair<std::string, Tensor>> buffers;
  std::vector<std::pair<std::string, ModulePtr>> children;

  // Registration helpers; each returns *this so a block reads like its __init__.
  Module& param(std::string name, std::vector<int64_t> shape, DType dtype = DType::F32);
  Module& buffer(std::string name, std::vector<int64_t> shape, DType dtype, bool persistent = true);
  Module& tie(std::string name, std::vector<int64_t> shape, std::string tied_to);
  // Adds a child and returns it (so `auto& attn = *m.add("attn", ...)` can be filled in).
  ModulePtr add(std::string name, ModulePtr child);
  // Finds a direct child by name (nullptr if absent).
  ModulePtr child(std::string_view name) const;
};

// Makes an empty module of class `cls`.
ModulePtr make(std::string cls);
// Largest repeat count a config may ask for (hostile configs must not make memfit loop or allocate without bound).
constexpr int64_t kMaxRepeat = 1 << 16;
// Returns n when 0 <= n <= kMaxRepeat, else throws ConfigError naming `what` (use before looping over a count).
int64_t checked_count(int64_t n, const char* what = "layer count");
// nn.ModuleList of `n` copies of one block, named "0".."n-1" (the copies share the node: building is O(1) in n).
ModulePtr repeat(ModulePtr block, int64_t n, std::string cls = "ModuleList");
// nn.ModuleList from distinct blocks.
ModulePtr module_list(std::vector<ModulePtr> blocks, std::string cls = "ModuleList");

// One tensor as a checkpoint file stores it.
struct CheckpointTensor {
  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
};

// transformers 5 converts some checkpoint layouts when loading (renamed modules, per-expert weights fused into one
// tensor) and reverts that when saving. A family that does so supplies the reverse mapping: from one in-memory
// tensor (full name) to the tensor(s) a checkpoint holds for it.
using CheckpointMapping = std::function<std::vector<CheckpointTensor>(const std::string& name, const Tensor& t)>;

// A built model: its root module plus what accelerate reads off the Python class.
struct Model {
  ModulePtr root;
  std::vector<std::string> no_split;  // _no_split_modules (empty for timm)
  std::string library = "transformers";
  CheckpointMapping to_checkpoint;    // empty: checkpoint names are the state_dict names
};

}  // namespace memfit
