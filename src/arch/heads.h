// Helpers shared by task heads: label counts, tied LM heads, and the error for a head a family does not build.
#pragma once
#include <string>
#include <string_view>

#include "arch/registry.h"
#include "format/config.h"

namespace memfit::heads {

// PretrainedConfig.num_labels: len(id2label) when present, else num_labels, else 2.
int64_t num_labels(const Config& c);
// True when the config ties the output embedding to the input one (tie_word_embeddings, default `def`).
bool ties_embeddings(const Config& c, bool def = true);
// lm_head = nn.Linear(hidden, vocab, bias=False), its weight tied to `tied_to` when `tied`.
ModulePtr lm_head(int64_t hidden, int64_t vocab, bool tied, const std::string& tied_to);
[[noreturn]] void unsupported(std::string_view cls);

}  // namespace memfit::heads
