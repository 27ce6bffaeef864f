// Exact sizes for a model type memfit has no builder for, from its checkpoint's safetensors headers (memfit inspect's
// Report): the tensors AutoModel would build (head tensors outside the base model removed), sized as accelerate's
// float32 meta model holds them, and the largest layer by a name-based grouping rule.
#pragma once
#include <string>
#include <vector>

#include "arch/registry.h"
#include "inspect/inspect.h"
#include "tree/measure.h"

namespace memfit {

struct CheckpointMeasurement {
  Measurement m;
  bool complete = true;            // every tensor was read and none is quantized: the numbers are not approximate
  std::vector<std::string> notes;  // what was removed and which rules were applied, one sentence each
};

// Measures the checkpoint as accelerate would measure the model built from it (`target`: AutoModel's base model, or
// the task model with every tensor). Floating-point tensors are parameters held in float32 (accelerate builds the
// model in the default dtype); integer and bool tensors are buffers in their own dtype.
CheckpointMeasurement measure_checkpoint(const inspect::Report& r, Target target);

}  // namespace memfit
