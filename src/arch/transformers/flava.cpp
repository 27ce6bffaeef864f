// FLAVA: transformers' modeling_flava.py FlavaModel. Three encoders of FlavaLayer (the v4 ViT layer: attention.attention
// query/key/value + attention.output.dense, intermediate, output, layernorm_before/after), each followed by a
// LayerNorm and a pooler: the text model (BERT's embeddings), the image model (cls and mask tokens, a Conv2d patch
// embedding, learned positions) and the multimodal model (an optional cls token); then image/text projections,
// logit_scale and the image/text -> multimodal projections.
#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr encoder(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768), inter = media::dim(c, "intermediate_size", 3072);
  bool bias = c.b("qkv_bias", true);
  auto self = make("FlavaSelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(h, h, bias));
  self->add("dropout", leaf("Dropout"));
  auto self_out = make("FlavaSelfOutput");
  self_out->add("dense", linear(h, h));
  self_out->add("dropout", leaf("Dropout"));
  auto attn = make("FlavaAttention");
  attn->add("attention", self);
  attn->add("output", self_out);
  auto im = make("FlavaIntermediate");
  im->add("dense", linear(h, inter));
  im->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto out = make("FlavaOutput");
  out->add("dense", linear(inter, h));
  out->add("dropout", leaf("Dropout"));
  auto layer = make("FlavaLayer");
  layer->add("attention", attn);
  layer->add("intermediate", im);
  layer->add("output", out);
  layer->add("layernorm_before", layer_norm(h));
  layer->add("layernorm_after", layer_norm(h));
  auto enc = make("FlavaEncoder");
  enc->add("layer", repeat(layer, media::count(c, "num_hidden_layers", 12)));
  return enc;
}

// `body`: the model's embeddings (or cls token) are already registered; adds encoder, layernorm and pooler.
ModulePtr finish(ModulePtr m, const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768);
  m->add("encoder", encoder(c));
  m->add("layernorm", layer_norm(h));
  auto pooler = make("FlavaPooler");
  pooler->add("dense", linear(h, h));
  pooler->add("activation", leaf("Tanh"));
  m->add("pooler", pooler);
  return m;
}

ModulePtr text_model(const Config& t) {
  auto m = make("FlavaTextModel");
  m->add("embeddings", bert::embeddings(bert::read(t, "FlavaText", 30522), false, t));
  return finish(m, t);
}

ModulePtr image_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 768), patch = media::dim(v, "patch_size", 16);
  auto [ih, iw] = media::pair(v, "image_size", 224);
  auto pe = make("PatchEmbeddings");
  pe->add("projection", conv2d(media::dim(v, "num_channels", 3), h, patch));
  auto emb = make("FlavaImageEmbeddings");
  emb->param("cls_token", {1, 1, h});
  if (v.b("mask_token", true)) emb->param("mask_token", {1, 1, h});
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, (ih / patch) * (iw / patch) + 1, h});
  emb->add("dropout", leaf("Dropout"));
  auto m = make("FlavaImageModel");
  m->add("embeddings", emb);
  return finish(m, v);
}

ModulePtr multimodal_model(const Config& mm) {
  auto m = make("FlavaMultimodalModel");
  if (mm.b("use_cls_token", true)) m->param("cls_token", {1, 1, media::dim(mm, "hidden_size", 768)});
  return finish(m, mm);
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "FlavaModel") heads::unsupported(cls);
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "flava_text_model"}}, "flava_text_model");
  SubConfig ic = sub_config(c, "image_config", {{"model_type", "flava_image_model"}}, "flava_image_model");
  SubConfig mc = sub_config(c, "multimodal_config", {{"model_type", "flava_multimodal_model"}}, "flava_multimodal_model");
  int64_t th = media::dim(tc.c, "hidden_size", 768), ih = media::dim(ic.c, "hidden_size", 768);
  int64_t mh = media::dim(mc.c, "hidden_size", 768), proj = media::dim(c, "projection_dim", 768);
  auto m = make("FlavaModel");
  m->add("text_model", text_model(tc.c));
  m->add("image_model", image_model(ic.c));
  m->add("multimodal_model", multimodal_model(mc.c));
  m->add("image_projection", linear(ih, proj));
  m->add("text_projection", linear(th, proj));
  m->param("logit_scale", {});
  m->add("image_to_mm_projection", linear(ih, mh));
  m->add("text_to_mm_projection", linear(th, mh));
  return {m, {}};
}

MEMFIT_FAMILY({"flava"}, "Flava", build);

}  // namespace
}  // namespace memfit
