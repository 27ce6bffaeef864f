// A task model against a real checkpoint index (model.safetensors.index.json / pytorch_model.bin.index.json):
// do the tensor names agree (after the checkpoint's own prefix), do the bytes in the stored dtype add up to
// metadata.total_size, and if not, why (the causes TASK_INDEX_CHECK.md found for the real code).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

struct IndexComparison {
  bool names_equal = false;
  bool bytes_equal = false;
  uint64_t index_total = 0;   // metadata.total_size
  uint64_t model_total = 0;   // the model's checkpoint tensors at the stored width
  int stored_bits = 0;        // width of floating tensors in the checkpoint
  std::string prefix_note;    // e.g. "checkpoint names carry no `model.` prefix"
  std::vector<std::string> only_in_index, only_in_model;
  std::vector<std::string> causes;  // one sentence per diagnosed cause of a difference
  // After the causes: names neither side's causes claim, and index_total minus what the model and the causes account
  // for, in bits. A difference is explained only when every name is claimed and the residue is exactly zero.
  std::vector<std::string> unclaimed;
  int64_t residue_bits = 0;
  bool explained() const { return (names_equal && bytes_equal) || (unclaimed.empty() && residue_bits == 0); }
};

// `config` is the model's config.json (for torch_dtype and tie_word_embeddings).
IndexComparison compare_with_index(const Model& task_model, const Json& index, const Json& config);

}  // namespace memfit
