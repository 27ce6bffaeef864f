// Vision (and text) towers shared by the contrastive and multimodal families: CLIP's and SigLIP's vision/text
// transformers (transformers' modeling_clip.py, modeling_siglip.py), plus the nested-config helper that gives an
// absent or partial sub-config its config class's defaults.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// A nested config as transformers builds it: the config class's defaults overlaid by the keys present in the file.
// Owns its JSON (the Config view points into it), so keep the SubConfig alive while building.
struct SubConfig {
  std::unique_ptr<Json> json;
  Config c;
};
// parent[key] (an object, or absent/null = defaults only) over `defaults`; `model_type` names it in errors.
SubConfig sub_config(const Config& parent, std::string_view key, Json defaults, std::string model_type);
// A standalone config from a JSON object (defaults overlaid by `over`).
SubConfig make_config(Json defaults, const Json& over, std::string model_type);

// Appends the names in `more` that `into` lacks (a composite model's _no_split_modules is the union of its parts').
void merge_no_split(std::vector<std::string>& into, const std::vector<std::string>& more);

// CLIPVisionModel (embeddings, pre_layrnorm, encoder, post_layernorm) with CLIPVisionConfig's defaults;
// `prefix` renames the classes for CLIP's copies (e.g. "CLIP").
Model clip_vision_model(const Config& vc, std::string prefix = "CLIP");
// CLIPTextModel (embeddings, encoder, final_layer_norm) with CLIPTextConfig's defaults; `prefix` as above.
Model clip_text_model(const Config& tc, const std::string& prefix = "CLIP");
// SiglipVisionModel (embeddings, encoder, post_layernorm, head unless vision_use_head is false); `prefix` renames
// the classes of SigLIP's copies (Phi4Multimodal's), `position_ids` whether the embeddings keep that buffer.
Model siglip_vision_model(const Config& vc, const std::string& prefix = "Siglip", bool position_ids = true);
// Siglip2VisionModel: SiglipVisionModel's tree under Siglip2 names, with a Linear patch_embedding over flattened
// patches (num_channels * patch_size^2) and num_patches learned positions, no position_ids buffer.
Model siglip2_vision_model(const Config& vc);
// SiglipTextModel (embeddings, encoder, final_layer_norm, head).
Model siglip_text_model(const Config& tc);
// PixtralVisionModel (patch_conv, ln_pre, transformer, patch_positional_embedding) with PixtralVisionConfig's defaults.
Model pixtral_vision_model(const Config& vc);
// Builds the vision tower AutoModel makes for a vision_config by its model_type (clip_vision_model,
// siglip_vision_model, pixtral); throws UnsupportedClass for other towers.
Model vision_tower_for(const Config& vc);

}  // namespace memfit
