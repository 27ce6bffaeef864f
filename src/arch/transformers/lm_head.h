// The base-or-LM pair of GPT-style families, whose LM class holds the text model under an attribute other than
// `model` (e.g. `transformer`) and ties lm_head to a name given by the family.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "tree/module.h"

namespace memfit::heads {

// `base_cls` is the text model itself; `lm_cls` wraps it as {attr: text, lm_head}, lm_head tied to `tied_to` when
// `tied`; any other class is unsupported.
Model base_or_lm(std::string_view cls, const std::string& base_cls, const std::string& lm_cls, ModulePtr text,
                 const std::string& attr, int64_t hidden, int64_t vocab, bool tied, const std::string& tied_to,
                 std::vector<std::string> no_split);

}  // namespace memfit::heads
