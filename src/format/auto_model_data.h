// data/transformers_auto_model.json (tools/gen_auto_model.py's output), compiled in by tools/embed_text.cmake.
#pragma once
#include <string_view>

namespace memfit {

std::string_view transformers_auto_model_json();

}  // namespace memfit
