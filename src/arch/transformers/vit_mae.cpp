// ViT-MAE: transformers' modeling_vit_mae.py (v5 layout, like ViT: layers.N with q/k/v/o_proj and an MLP of fc1/fc2).
// The encoder sees only the unmasked patches; ViTMAEForPreTraining adds the lighter decoder that reconstructs them.
// The fixed sin-cos position embeddings are (frozen) parameters. Checkpoints keep the transformers 4 names.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct LayerShape {
  int64_t hidden, heads, inter;
};

ModulePtr mae_layer(const Config& c, const LayerShape& s) {
  media::divisible(c, s.hidden, s.heads, "hidden size / attention heads");
  bool qkv_bias = c.b("qkv_bias", true);
  auto attn = make("ViTMAEAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(s.hidden, s.hidden, qkv_bias));
  attn->add("o_proj", linear(s.hidden, s.hidden));
  auto mlp = make("ViTMAEMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(s.hidden, s.inter));
  mlp->add("fc2", linear(s.inter, s.hidden));
  auto l = make("ViTMAELayer");
  l->add("attention", attn);
  l->add("layernorm_before", layer_norm(s.hidden));
  l->add("layernorm_after", layer_norm(s.hidden));
  l->add("mlp", mlp);
  l->add("dropout", leaf("Dropout"));
  return l;
}

int64_t num_patches(const Config& c) {
  auto [ih, iw] = media::pair(c, "image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  return (ih / ph) * (iw / pw);
}

ModulePtr mae_model(const Config& c) {
  LayerShape s{media::dim(c, "hidden_size", 768), media::dim(c, "num_attention_heads", 12),
               media::dim(c, "intermediate_size", 3072)};
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  auto pe = make("ViTMAEPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), s.hidden, ph, pw));
  auto emb = make("ViTMAEEmbeddings");
  emb->param("cls_token", {1, 1, s.hidden});
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, num_patches(c) + 1, s.hidden});
  auto m = make("ViTMAEModel");
  m->add("embeddings", emb);
  m->add("layers", repeat(mae_layer(c, s), media::count(c, "num_hidden_layers", 12)));
  m->add("layernorm", layer_norm(s.hidden));
  return m;
}

ModulePtr mae_decoder(const Config& c) {
  LayerShape s{media::dim(c, "decoder_hidden_size", 512), media::dim(c, "decoder_num_attention_heads", 16),
               media::dim(c, "decoder_intermediate_size", 2048)};
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  auto d = make("ViTMAEDecoder");
  d->add("decoder_embed", linear(media::dim(c, "hidden_size", 768), s.hidden));
  d->param("mask_token", {1, 1, s.hidden});
  d->param("decoder_pos_embed", {1, num_patches(c) + 1, s.hidden});
  d->add("decoder_layers", repeat(mae_layer(c, s), media::count(c, "decoder_num_hidden_layers", 8)));
  d->add("decoder_norm", layer_norm(s.hidden));
  d->add("decoder_pred", linear(s.hidden, ph * pw * media::dim(c, "num_channels", 3)));
  return d;
}

// transformers 4 names: encoder.layer.N.attention.attention.query, ..., decoder_layers.N.attention.attention.query.
CheckpointMapping mae_checkpoint_names() {
  const std::string enc = R"(^((?:vit\.)?)layers\.(\d+)\.)", to = "$1encoder.layer.$2.";
  const std::string dec = R"(^(decoder\.decoder_layers\.\d+\.))";
  std::vector<std::pair<std::string, std::string>> rules;
  for (const auto& [prefix, target] : {std::pair{enc, to}, std::pair{dec, std::string("$1")}}) {
    rules.push_back({prefix + R"(attention\.q_proj\.)", target + "attention.attention.query."});
    rules.push_back({prefix + R"(attention\.k_proj\.)", target + "attention.attention.key."});
    rules.push_back({prefix + R"(attention\.v_proj\.)", target + "attention.attention.value."});
    rules.push_back({prefix + R"(attention\.o_proj\.)", target + "attention.output.dense."});
    rules.push_back({prefix + R"(mlp\.fc1\.)", target + "intermediate.dense."});
    rules.push_back({prefix + R"(mlp\.fc2\.)", target + "output.dense."});
  }
  rules.push_back({enc, to});
  return rename_mapping(std::move(rules));
}

Model build(const Config& c, std::string_view cls) {
  Model m;
  std::vector<std::string> no_split{"ViTMAEEmbeddings", "ViTMAELayer", "ViTMAEDecoder"};
  if (cls == "ViTMAEModel") {
    m = {mae_model(c), no_split};
  } else if (cls == "ViTMAEForPreTraining") {
    auto root = make(std::string(cls));
    root->add("vit", mae_model(c));
    root->add("decoder", mae_decoder(c));
    m = {root, no_split};
  } else {
    heads::unsupported(cls);
  }
  m.to_checkpoint = mae_checkpoint_names();
  return m;
}

MEMFIT_FAMILY({"vit_mae"}, "ViTMAE", build);

}  // namespace
}  // namespace memfit
