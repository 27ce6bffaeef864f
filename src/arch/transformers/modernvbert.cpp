// ModernVBERT: transformers' modeling_modernvbert.py. ModernVBertModel is Idefics3's layout with other parts: the
// vision model AutoModel builds from vision_config (SigLIP), a connector whose modality_projection is one bias-free
// Linear from the pixel-shuffled vision width (hidden * pixel_shuffle_factor^2) to the text width, and the text model
// AutoModel builds from text_config (ModernBERT). ModernVBertForMaskedLM adds ModernBERT's prediction head (dense,
// activation, LayerNorm) and an lm_head tied to the token embeddings when tie_word_embeddings says so.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "siglip_vision_model"}}, "siglip_vision_model");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "modernbert"}}, "modernbert");
  // ModernVBertConfig builds its sub-configs as ModernBertConfig and SiglipVisionConfig whatever the dicts say.
  (*vc.json)["model_type"] = "siglip_vision_model";
  (*tc.json)["model_type"] = "modernbert";
  Model vision = auto_model(vc.c);
  Model text = auto_model(tc.c);
  int64_t factor = media::dim(c, "pixel_shuffle_factor", 4), th = media::dim(tc.c, "hidden_size", 768);
  media::require(c, factor <= 64, "pixel_shuffle_factor too large");
  auto conn = make("ModernVBertConnector");
  conn->add("modality_projection", linear(media::dim(vc.c, "hidden_size", 768) * factor * factor, th, false));
  auto m = make("ModernVBertModel");
  m->add("vision_model", vision.root);
  m->add("connector", conn);
  m->add("text_model", text.root);
  Model base{m, vision.no_split};
  merge_no_split(base.no_split, text.no_split);
  if (cls == "ModernVBertModel") return base;
  if (cls != "ModernVBertForMaskedLM") heads::unsupported(cls);
  auto head = make("ModernVBertPredictionHead");
  head->add("dense", linear(th, th, tc.c.b("classifier_bias", false)));
  head->add("act", leaf(act_class(tc.c.s("classifier_activation", "gelu"))));
  head->add("norm", layer_norm(th, tc.c.b("norm_bias", false)));
  auto lm = heads::lm_head(th, media::dim(tc.c, "vocab_size", 50368), c.b("tie_word_embeddings", false),
                           "model.text_model.embeddings.tok_embeddings.weight");
  if (tc.c.b("decoder_bias", true)) lm->param("bias", {media::dim(tc.c, "vocab_size", 50368)});
  auto root = make(std::string(cls));
  root->add("model", m);
  root->add("projection_head", head);
  root->add("lm_head", lm);
  base.root = root;
  return base;
}

MEMFIT_FAMILY({"modernvbert"}, "ModernVBert", build);

}  // namespace
}  // namespace memfit
