// The GPU table's JSON text (data/gpus.json), compiled in by tools/embed_text.cmake.
#pragma once

namespace memfit {

const char* gpus_json();

}  // namespace memfit
