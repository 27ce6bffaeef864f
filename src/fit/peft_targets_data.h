// PEFT's default LoRA target modules per model_type as JSON text (data/peft/lora_target_modules.json, made by
// tools/gen_peft_targets.py), compiled in by tools/embed_text.cmake.
#pragma once
#include <string_view>

namespace memfit {

std::string_view peft_lora_targets_json();

}  // namespace memfit
