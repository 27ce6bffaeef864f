// LoRA adapters as PEFT places and counts them: its default target modules per model_type (data from PEFT, see
// tools/gen_peft_targets.py), "all-linear", module-name matching, and r * (in + out) parameters per adapted layer.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "tree/module.h"

namespace memfit {

// PEFT's default targets for a model_type: a list of names, or one regular expression (PEFT full-matches a string
// target against each module name). nullopt when PEFT has no default for the model_type.
struct LoraDefaultTargets {
  std::vector<std::string> names;
  std::string regex;  // non-empty: match module names with this instead of `names`
};
std::optional<LoraDefaultTargets> peft_default_lora_targets(std::string_view model_type);
// The model_types PEFT has defaults for, in PEFT's order.
std::vector<std::string> peft_lora_model_types();

// One layer an adapter attaches to.
struct LoraModule {
  std::string name;  // full dotted module name, e.g. "model.layers.0.self_attn.q_proj"
  std::string cls;   // Linear | Conv1D | Embedding
  int64_t in = 0, out = 0;
  uint64_t params = 0;  // r * (in + out)
};

struct LoraPlacement {
  std::vector<LoraModule> modules;
  uint64_t params = 0;  // sum over modules (PEFT's trainable parameter count)
  std::string targets_used;  // as stated in assumptions: "q_proj, v_proj (PEFT's default for llama)"
};

// Places rank-r adapters on the model. `targets` empty: PEFT's default for `model_type`; {"all-linear"}: every
// Linear / Conv1D except the output embedding (the Linear whose output width is `vocab_size`, as PEFT skips
// get_output_embeddings()); otherwise names matched as PEFT does (equal to the module name or its ".NAME" suffix).
// Usage error naming the targets that match no module, or a matched module PEFT cannot adapt.
Result<LoraPlacement> place_lora(const Model& m, std::string_view model_type, const std::vector<std::string>& targets,
                                 int64_t rank, int64_t vocab_size);

}  // namespace memfit
