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
// The common pair of classes of a decoder family: `base_cls` is the text model itself, `lm_cls` wraps it as
// {model, lm_head}; any other class is unsupported.
Model base_or_causal_lm(std::string_view cls, const std::string& base_cls, const std::string& lm_cls, ModulePtr text,
                        int64_t hidden, int64_t vocab, bool tied, std::vector<std::string> no_split);

}  // namespace memfit::heads
