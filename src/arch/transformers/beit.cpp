// BEiT: transformers' modeling_beit.py (v5 layout: layers.N with q/k/v/o_proj, k_proj without bias, layer-scale
// lambdas, a relative position bias table per layer or one shared). Checkpoints keep the transformers 4 names.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// BeitRelativePositionBias: a (2Wh-1)(2Ww-1)+3 by heads table over the patch grid (its index is not a buffer).
ModulePtr position_bias(const Config& c, int64_t heads) {
  auto [ih, iw] = media::pair(c, "image_size", 224);
  int64_t patch = media::dim(c, "patch_size", 16);
  media::require(c, ih / patch <= 4096 && iw / patch <= 4096, "patch grid too large");
  auto m = make("BeitRelativePositionBias");
  m->param("relative_position_bias_table", {(2 * (ih / patch) - 1) * (2 * (iw / patch) - 1) + 3, heads});
  return m;
}

ModulePtr beit_layer(const Config& c, int64_t h, int64_t heads, int64_t inter, bool drop_path) {
  auto attn = make("BeitAttention");
  attn->add("q_proj", linear(h, h));
  attn->add("k_proj", linear(h, h, false));
  attn->add("v_proj", linear(h, h));
  attn->add("o_proj", linear(h, h));
  auto mlp = make("BeitMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto l = make("BeitLayer");
  l->add("attention", attn);
  l->add("layernorm_before", layer_norm(h));
  l->add("layernorm_after", layer_norm(h));
  l->add("mlp", mlp);
  l->add("dropout", leaf("Dropout"));
  l->add("drop_path", leaf(drop_path ? "BeitDropPath" : "Identity"));
  if (c.f("layer_scale_init_value", 0.1) > 0) l->param("lambda_1", {h}).param("lambda_2", {h});
  if (c.b("use_relative_position_bias", false)) l->add("relative_position_bias", position_bias(c, heads));
  return l;
}

ModulePtr beit_model(const Config& c, bool pooler) {
  int64_t h = media::dim(c, "hidden_size", 768), heads = media::dim(c, "num_attention_heads", 12);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  auto [ih, iw] = media::pair(c, "image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  auto pe = make("BeitPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, ph, pw));
  auto emb = make("BeitEmbeddings");
  emb->param("cls_token", {1, 1, h});
  if (c.b("use_mask_token", false)) emb->param("mask_token", {1, 1, h});
  emb->add("patch_embeddings", pe);
  if (c.b("use_absolute_position_embeddings", false))
    emb->param("position_embeddings", {1, (ih / ph) * (iw / pw) + 1, h});
  emb->add("dropout", leaf("Dropout"));

  int64_t inter = media::dim(c, "intermediate_size", 3072), n = media::count(c, "num_hidden_layers", 12);
  // Stochastic depth grows linearly from 0: only layer 0 keeps an Identity.
  auto plain = beit_layer(c, h, heads, inter, c.f("drop_path_rate", 0.1) > 0);
  auto first = beit_layer(c, h, heads, inter, false);
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i) layers.push_back(i == 0 ? first : plain);

  bool mean_pooling = c.b("use_mean_pooling", true);
  auto m = make("BeitModel");
  m->add("embeddings", emb);
  if (c.b("use_shared_relative_position_bias", false)) m->add("shared_position_bias", position_bias(c, heads));
  m->add("layers", module_list(layers));
  m->add("layernorm", mean_pooling ? leaf("Identity") : layer_norm(h));
  if (pooler) {
    auto p = make("BeitPooler");
    if (mean_pooling) p->add("layernorm", layer_norm(h));
    m->add("pooler", p);
  }
  return m;
}

// transformers 4 names (the reverse of the BeitModel conversion).
CheckpointMapping beit_checkpoint_names() {
  const std::string l = R"(^((?:beit\.)?)layers\.(\d+)\.)", to = "$1encoder.layer.$2.";
  return rename_mapping({
      {l + R"(attention\.q_proj\.)", to + "attention.attention.query."},
      {l + R"(attention\.k_proj\.)", to + "attention.attention.key."},
      {l + R"(attention\.v_proj\.)", to + "attention.attention.value."},
      {l + R"(attention\.o_proj\.)", to + "attention.output.dense."},
      {l + R"(mlp\.fc1\.)", to + "intermediate.dense."},
      {l + R"(mlp\.fc2\.)", to + "output.dense."},
      {l + R"(relative_position_bias\.)", to + "attention.attention.relative_position_bias."},
      {l, to},
      {R"(^((?:beit\.)?)shared_position_bias\.)", "$1encoder.relative_position_bias."},
  });
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"BeitLayer"};
  int64_t h = media::dim(c, "hidden_size", 768);
  Model m;
  if (cls == "BeitModel") {
    m = {beit_model(c, true), no_split};
  } else if (cls == "BeitForImageClassification") {
    auto root = make(std::string(cls));
    root->add("beit", beit_model(c, true));
    root->add("classifier", media::linear_or_identity(h, heads::num_labels(c)));
    m = {root, no_split};
  } else if (cls == "BeitForMaskedImageModeling") {
    auto root = make(std::string(cls));
    root->add("beit", beit_model(c, false));
    root->add("layernorm", layer_norm(h));
    root->add("lm_head", linear(h, media::dim(c, "vocab_size", 8192)));
    m = {root, no_split};
  } else {
    heads::unsupported(cls);
  }
  m.to_checkpoint = beit_checkpoint_names();
  return m;
}

MEMFIT_FAMILY({"beit"}, "Beit", build);

}  // namespace
}  // namespace memfit
