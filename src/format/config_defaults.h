// Omitted config keys filled the way transformers' AutoConfig fills them: each config class's defaults, its
// attribute_map aliases, the defaults __post_init__ computes from other keys, and default sub-configs. The data is
// generated from transformers' source by tools/gen_transformers_configs.py (data/transformers_configs.json).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "format/config.h"

namespace memfit {

// The config as AutoConfig.from_pretrained would hold it (to_dict), plus each attribute_map alias set to its target's
// value. A model_type transformers does not know comes back unchanged.
Json with_class_defaults(const Json& config);

// The config class transformers uses for a model_type ("LlamaConfig"), or "" when it knows none.
std::string config_class_for(std::string_view model_type);
// Every model_type transformers' config registry knows, sorted.
std::vector<std::string> transformers_model_types();
// One config class of the generated data (data/transformers_configs.json), e.g. "LlamaConfig", or nullptr. The file
// holds one class per line; a class's line is parsed the first time it is asked for (thread-safe), so a run pays
// only for the classes it builds.
const Json* config_class_data(std::string_view cls);

}  // namespace memfit
