// transformers' config classes as JSON text (data/transformers_configs.json), compiled in by tools/embed_text.cmake.
#pragma once
#include <string_view>

namespace memfit {

std::string_view transformers_configs_json();

}  // namespace memfit
