// DINOv2: transformers' modeling_dinov2.py (still the transformers 4 layout: encoder.layer.N.attention.attention.query,
// layer scales, an MLP or a SwiGLU FFN). DINOv2 with registers (modeling_dinov2_with_registers.py): the same tree
// under its own prefix, with register_tokens [1, num_register_tokens, hidden] in the embeddings. TIPSv2's vision
// tower (tipsv2_vision_model, modeling_tipsv2.py) is the with-registers tree under Tipsv2Vision names. RADIO
// (modeling_radio.py) stacks the same layers after an input conditioner (mean/std buffers) and a Linear patch
// projection with a max_img_size position grid and cls + register tokens.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr embeddings(const Config& c, const std::string& p, int64_t h) {
  auto [ih, iw] = media::pair(c, "image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 14);
  auto pe = make(p + "PatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), h, ph, pw));
  auto e = make(p + "Embeddings");
  e->param("cls_token", {1, 1, h});
  if (c.b("use_mask_token", true)) e->param("mask_token", {1, h});
  if (p != "Dinov2") e->param("register_tokens", {1, media::dim(c, "num_register_tokens", 4), h});
  e->add("patch_embeddings", pe);
  e->param("position_embeddings", {1, (ih / ph) * (iw / pw) + 1, h});
  e->add("dropout", leaf("Dropout"));
  return e;
}

ModulePtr layer(const Config& c, const std::string& p, int64_t h) {
  bool qkv_bias = c.b("qkv_bias", true);
  auto self = make(p + "SelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(h, h, qkv_bias));
  auto out = make(p + "SelfOutput");
  out->add("dense", linear(h, h));
  out->add("dropout", leaf("Dropout"));
  auto attn = make(p + "Attention");
  attn->add("attention", self);
  attn->add("output", out);
  auto scale = [&] {
    auto s = make(p + "LayerScale");
    s->param("lambda1", {h});
    return s;
  };
  int64_t hidden = static_cast<int64_t>(static_cast<double>(h) * c.f("mlp_ratio", 4));
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  ModulePtr mlp;
  if (c.b("use_swiglu_ffn", false)) {
    hidden = (hidden * 2 / 3 + 7) / 8 * 8;
    mlp = make(p + "SwiGLUFFN");
    mlp->add("weights_in", linear(h, 2 * hidden));
    mlp->add("weights_out", linear(hidden, h));
  } else {
    mlp = make(p + "MLP");
    mlp->add("fc1", linear(h, hidden));
    mlp->add("activation", leaf(act_class(c.s("hidden_act", "gelu"))));
    mlp->add("fc2", linear(hidden, h));
  }
  auto l = make(p + "Layer");
  l->add("norm1", layer_norm(h));
  l->add("attention", attn);
  l->add("layer_scale1", scale());
  l->add("drop_path", leaf(c.f("drop_path_rate", 0) > 0 ? p + "DropPath" : "Identity"));
  l->add("norm2", layer_norm(h));
  l->add("mlp", mlp);
  l->add("layer_scale2", scale());
  return l;
}

// Dinov2Model / Dinov2Backbone body: embeddings, encoder.layer.N, layernorm.
ModulePtr dinov2_model(const Config& c, const std::string& p, std::string cls) {
  int64_t h = media::dim(c, "hidden_size", 768);
  auto enc = make(p + "Encoder");
  enc->add("layer", repeat(layer(c, p, h), media::count(c, "num_hidden_layers", 12)));
  auto m = make(std::move(cls));
  m->add("embeddings", embeddings(c, p, h));
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(h));
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& p, const std::string& base) {
  std::vector<std::string> no_split{p + "Layer"};
  if (cls == p + "Model" || cls == p + "Backbone") return {dinov2_model(c, p, std::string(cls)), no_split};
  if (cls == p + "ForImageClassification") {
    auto root = make(std::string(cls));
    root->add(base, dinov2_model(c, p, p + "Model"));
    root->add("classifier", media::linear_or_identity(2 * media::dim(c, "hidden_size", 768), heads::num_labels(c)));
    return {root, no_split};
  }
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"dinov2"}, "Dinov2",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Dinov2", "dinov2"); });
MEMFIT_FAMILY({"dinov2_with_registers"}, "Dinov2WithRegisters", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Dinov2WithRegisters", "dinov2_with_registers");
});

// The length of the config list `key` (`def` when absent).
int64_t list_len(const Config& c, std::string_view key, int64_t def) {
  auto it = c.raw().find(key);
  if (it == c.raw().end() || it->is_null()) return def;
  media::require(c, it->is_array() && it->size() <= static_cast<size_t>(media::kMaxCount), "list too long");
  return static_cast<int64_t>(it->size());
}

ModulePtr radio_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1280), patch = media::dim(c, "patch_size", 16);
  int64_t ch = media::dim(c, "num_channels", 3), side = media::dim(c, "max_img_size", 2048) / patch;
  media::require(c, side <= 4096 && ch * patch * patch <= media::kMaxDim, "max_img_size / patch_size out of range");
  auto cond = make("RadioInputConditioner");
  cond->buffer("norm_mean", {list_len(c, "norm_mean", 3), 1, 1}, DType::F32);
  cond->buffer("norm_std", {list_len(c, "norm_std", 3), 1, 1}, DType::F32);
  auto emb = make("RadioPatchEmbeddings");
  emb->add("patch_projection", linear(ch * patch * patch, h, false));
  emb->param("position_embedding", {1, side * side, h});
  emb->param("cls_register_token",
             {media::count(c, "num_cls_tokens", 3) + media::count(c, "num_registers", 7), h});
  auto enc = make("RadioEncoder");
  enc->add("layer", repeat(layer(c, "Radio", h), media::count(c, "num_hidden_layers", 32)));
  auto m = make("RadioModel");
  m->add("input_conditioner", cond);
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->buffer("summary_idxs", {list_len(c, "summary_idxs", 2)}, DType::I64);
  return m;
}

MEMFIT_FAMILY({"radio"}, "Radio", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "RadioModel") heads::unsupported(cls);
  return {radio_model(c), {"RadioLayer"}};
});
MEMFIT_FAMILY({"tipsv2_vision_model"}, "Tipsv2Vision", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Tipsv2Vision", "tipsv2");
});

}  // namespace
}  // namespace memfit
