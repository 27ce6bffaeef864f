// transformers' AutoModel mapping (data/transformers_auto_model.json, made by tools/gen_auto_model.py from
// modeling_auto.py's MODEL_MAPPING_NAMES): which model types AutoModel.from_config can build at all.
#pragma once
#include <string>
#include <string_view>

namespace memfit {

// The class AutoModel builds for `model_type` (the first, where transformers lists several), or "" when the mapping
// has no entry: AutoModel.from_config then raises "Unrecognized configuration class", so `accelerate
// estimate-memory` cannot estimate such a config (a sub-config such as siglip_text_model, a part of a larger model).
std::string auto_model_class(std::string_view model_type);

}  // namespace memfit
