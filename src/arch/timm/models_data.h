// data/timm/models.json (tools/timm_defs.py's output), compiled in by tools/embed_text.cmake.
#pragma once

namespace memfit {
// The JSON text of timm's registered models.
const char* timm_models_json();
}  // namespace memfit
