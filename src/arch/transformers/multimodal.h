// Pieces shared by the vision-language families (LLaVA and its descendants, Qwen2-VL, Gemma3, ...): the language
// model AutoModel builds from a text_config, the ...ForConditionalGeneration wrapper and llava-style checkpoint names.
#pragma once
#include <string>
#include <vector>

#include "arch/transformers/vision_towers.h"
#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// AutoModel.from_config(sub-config): the base model of the family its model_type names, through the registry.
Model auto_model(const Config& sub);
// AutoModelForCausalLM.from_config(sub-config), to be registered as child `name` of the root: its weight ties are
// re-rooted under that name.
Model auto_causal_lm(const Config& sub, const std::string& name);
// Prepends `prefix` to every tie target in the subtree (each shared node once).
void prefix_ties(const ModulePtr& m, const std::string& prefix);
// XForConditionalGeneration: `model` (the base model) then lm_head, tied to model.language_model.embed_tokens.
Model conditional_generation(std::string cls, Model base, int64_t hidden, int64_t vocab, bool tied,
                             const std::string& embed = "model.language_model.embed_tokens.weight");
// The LLaVA-style base model `cls`: children vision_tower, multi_modal_projector and language_model; its
// _no_split_modules are `own` then the towers' (the union transformers collects from the sub-models).
Model vision_projector_text(std::string cls, Model vision, ModulePtr projector, Model text,
                            std::vector<std::string> own = {});
// Number of vision feature layers (vision_feature_layer is an int or a list).
int64_t num_feature_layers(const Config& c);
// LLaVA's projector: linear_1 (vision*layers -> text), act, linear_2 (text -> text).
ModulePtr llava_projector(std::string cls, int64_t vision, int64_t text, bool bias, const std::string& act);
// Checkpoint names of llava-style models: model.language_model. -> language_model.model., lm_head ->
// language_model.lm_head, model.<top> -> <top> for each of `tops` (vision_tower, multi_modal_projector, ...).
CheckpointMapping llava_checkpoint_names(const std::vector<std::string>& tops, bool lm_head_inside = true);

}  // namespace memfit
