// PaliGemma and PI0: transformers' modeling_paligemma.py and modeling_pi0.py. PaliGemmaModel is the SigLIP vision
// tower (AutoModel of vision_config), a one-Linear projector from the vision width to projection_dim, and the text
// model AutoModel builds from text_config (Gemma by default, Gemma2 for PaliGemma 2); the ForConditionalGeneration
// head is tied to the text embeddings by default. PI0Model (the pi0 robot policy) is a Gemma action expert `dit`
// (AutoModel of dit_config) beside a PaliGemmaModel `vlm`; PI0ForConditionalGeneration adds the action/time
// embedding MLPs and the action output projection.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model paligemma_model(const Config& c) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "siglip_vision_model"}}, "siglip_vision_model");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "gemma"}}, "gemma");
  Model vision = auto_model(vc.c);
  Model text = auto_model(tc.c);
  // PaliGemmaConfig sets vision_config.projection_dim to its own projection_dim.
  auto proj = make("PaliGemmaMultiModalProjector");
  proj->add("linear", linear(media::dim(vc.c, "hidden_size", 1152), media::dim(c, "projection_dim", 2048)));
  return vision_projector_text("PaliGemmaModel", vision, proj, text, {"PaliGemmaMultiModalProjector"});
}

Model paligemma(const Config& c, std::string_view cls) {
  Model base = paligemma_model(c);
  if (cls == "PaliGemmaModel") return base;
  if (cls != "PaliGemmaForConditionalGeneration") heads::unsupported(cls);
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "gemma"}}, "gemma");
  Model out = conditional_generation(std::string(cls), base, media::dim(tc.c, "hidden_size", 2048),
                                     media::dim(tc.c, "vocab_size", 257152), c.b("tie_word_embeddings", true));
  out.to_checkpoint = llava_checkpoint_names({"vision_tower", "multi_modal_projector"});
  return out;
}

Model pi0(const Config& c, std::string_view cls) {
  SubConfig dc = sub_config(c, "dit_config", {{"model_type", "gemma"}}, "gemma");
  SubConfig vc = sub_config(c, "vlm_config", {{"model_type", "paligemma"}}, "paligemma");
  Model dit = auto_model(dc.c);
  Model vlm = auto_model(vc.c);
  auto m = make("PI0Model");
  m->add("dit", dit.root);
  m->add("vlm", vlm.root);
  Model base{m, dit.no_split};
  merge_no_split(base.no_split, vlm.no_split);
  if (cls == "PI0Model") return base;
  if (cls != "PI0ForConditionalGeneration") heads::unsupported(cls);
  int64_t h = media::dim(dc.c, "hidden_size", 1024), actions = media::dim(c, "max_action_dim", 32);
  auto sinusoid = make("PI0TimestepEmbeddings");
  sinusoid->buffer("sinusoid_freq", {h / 2}, DType::F32, false);
  auto emb = make("PI0ActionTimeEmbedding");
  emb->add("sinusoid_embeds", sinusoid);
  emb->add("action_in_proj", linear(actions, h));
  emb->add("state_proj", linear(media::dim(c, "max_state_dim", 32), h));
  emb->add("action_time_mlp_in", linear(2 * h, h));
  emb->add("action_time_mlp_out", linear(h, h));
  auto root = make("PI0ForConditionalGeneration");
  root->add("model", m);
  root->add("embed_action_time", emb);
  root->add("action_out_proj", linear(h, actions));
  base.root = root;
  return base;
}

MEMFIT_FAMILY({"paligemma"}, "PaliGemma", paligemma);
MEMFIT_FAMILY({"pi0"}, "PI0", pi0);

}  // namespace
}  // namespace memfit
