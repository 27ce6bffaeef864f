// DPT: transformers' modeling_dpt.py. DPTModel is a ViT in the transformers 4 layout (embeddings with cls_token and
// positions, encoder.layer.N, layernorm, a pooler). The hybrid variant (is_hybrid, a BiT backbone) and the
// depth/segmentation heads (reassemble + fusion necks) are not built.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vit_v4.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr dpt_model(const Config& c) {
  if (c.b("is_hybrid", false)) heads::unsupported("DPTModel with a hybrid BiT backbone (is_hybrid)");
  int64_t h = media::dim(c, "hidden_size", 768);
  auto [ih, iw] = media::pair(c, "image_size", 384);
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  auto pe = make("DPTViTPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, ph, pw));
  auto emb = make("DPTViTEmbeddings");
  emb->param("cls_token", {1, 1, h});
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, (ih / ph) * (iw / pw) + 1, h});
  emb->add("dropout", leaf("Dropout"));
  auto enc = make("DPTViTEncoder");
  enc->add("layer", repeat(vit_v4_layer(c, "DPTViT", "DPTSelfAttention", h), media::count(c, "num_hidden_layers", 12)));
  auto pool = make("DPTViTPooler");
  pool->add("dense", linear(h, media::dim(c, "pooler_output_size", h)));
  pool->add("activation", leaf(act_class(c.s("pooler_act", "tanh"))));
  auto m = make("DPTModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(h));
  m->add("pooler", pool);
  return m;
}

MEMFIT_FAMILY({"dpt"}, "DPT", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "DPTModel") heads::unsupported(cls);
  return {dpt_model(c), {}};
});

}  // namespace
}  // namespace memfit
