// data/timm/models.json (tools/timm_defs.py's output), compiled in by tools/embed_text.cmake.
#pragma once
#include <string_view>

namespace memfit {
// The JSON text of timm's registered models.
std::string_view timm_models_json();
}  // namespace memfit
