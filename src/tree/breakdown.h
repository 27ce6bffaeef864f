// A readable breakdown of a model: each top-level module with its size, and each repeated block (a run of equal
// blocks in a ModuleList/Sequential) once, with its count. Names are the exact PyTorch names.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tree/module.h"

namespace memfit {

struct BreakdownEntry {
  std::string name;   // "embeddings", or "encoder.layer.{0..11}" for a run of repeated blocks
  std::string cls;    // PyTorch class
  uint64_t bits = 0;  // size of one (ties counted once, as in the total)
  int64_t count = 1;  // number of identical blocks in the run
  int depth = 0;      // 0 for top-level entries, 1+ for repeated blocks inside them
};

std::vector<BreakdownEntry> breakdown(const Model& m);

}  // namespace memfit
