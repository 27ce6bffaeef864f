// transformers' AutoModel mapping (data/transformers_auto_model.json, made by tools/gen_auto_model.py from the auto
// mappings' CONFIG_MAPPING_NAMES and MODEL_MAPPING_NAMES): which model types AutoModel.from_config can build at all.
#pragma once
#include <string>
#include <string_view>

namespace memfit {

// The class AutoModel builds for a config of `model_type` (the first, where transformers lists several), or "" when
// it has none: AutoModel.from_config then raises "Unrecognized configuration class", so `accelerate
// estimate-memory` cannot estimate such a config (a sub-config such as siglip_text_model, a part of a larger model).
std::string auto_model_class(std::string_view model_type);

}  // namespace memfit
