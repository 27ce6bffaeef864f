// transformers' config classes as JSON text (data/transformers_configs.json), compiled in by tools/embed_text.cmake.
#pragma once

namespace memfit {

const char* transformers_configs_json();

}  // namespace memfit
