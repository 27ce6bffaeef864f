// The GPU table's JSON text (data/gpus.json), compiled in by tools/embed_text.cmake.
#pragma once
#include <string_view>

namespace memfit {

std::string_view gpus_json();

}  // namespace memfit
