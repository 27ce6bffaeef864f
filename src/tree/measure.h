// The measurements accelerate makes on a module tree: parameter count, total size (compute_module_sizes) and the
// largest layer (get_max_layer_size under _no_split_modules). Sizes are in bits so bool buffers stay exact.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tree/module.h"

namespace memfit {

struct Measurement {
  uint64_t parameters = 0;      // unique parameter elements (ties counted once)
  uint64_t param_tensors = 0;   // unique parameter tensors
  uint64_t buffer_bits = 0;     // every buffer, persistent or not, in its own dtype
  uint64_t total_bits = 0;      // parameters + buffers, ties counted once
  uint64_t largest_bits = 0;    // accelerate's largest layer
  std::vector<std::string> largest_names;
  bool fractional = false;      // some tensor has a sub-byte dtype (Python then holds sizes as floats)
};

Measurement measure(const Model& m);

// accelerate's compute_module_sizes: every module, parameter and buffer name to its size in bits, in the order
// Python's dict would hold them (parameters first, then buffers; ties counted once).
std::vector<std::pair<std::string, uint64_t>> module_sizes(const Model& m);

// Visits every tensor with its full dotted name: parameters first (named_parameters order), then buffers.
// Tied parameters are skipped unless include_tied.
struct TensorVisit {
  const std::string& name;
  const Tensor& tensor;
  bool is_buffer;
};
template <class F>
void for_each_tensor(const Module& root, F&& f, bool include_tied = false);

// Size in bits of one module's subtree, every tensor included (the size accelerate gives a layer).
uint64_t subtree_bits(const Module& m);

}  // namespace memfit

#include "tree/measure_impl.h"

namespace memfit {
// What save_pretrained / state_dict() writes: parameters and persistent buffers in state_dict order
// (each module's own parameters, then its persistent buffers, then its children), ties written once.
struct StateEntry {
  std::string name;
  const Tensor* tensor;
};
std::vector<StateEntry> state_dict(const Model& m);
// The tensors a checkpoint of the model holds (state_dict passed through the model's to_checkpoint mapping).
std::vector<CheckpointTensor> checkpoint_tensors(const Model& m);
}  // namespace memfit
