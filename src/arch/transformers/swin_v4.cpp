// The Swin variants still in the transformers 4 layout (attention.self.query, intermediate.dense, output.dense):
// Donut's encoder (modeling_donut_swin.py: persistent relative_position_index buffers, positions for patches + 1,
// no final layernorm) and Swin V2 (modeling_swinv2.py: a log-spaced continuous position bias MLP and logit_scale per
// attention, key without bias, post-norm patch merging, windows clipped to each stage's resolution). MaskFormer's
// Swin backbone (modeling_maskformer_swin.py) is Donut's tree with a final LayerNorm and per-stage output norms.
#include "arch/transformers/swin_v4.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

struct Variant {
  std::string p;  // class prefix: "DonutSwin", "Swinv2" or "MaskFormerSwin"
  bool v2;
  bool final_norm = false;  // a LayerNorm over the last stage (Swin V2 and MaskFormer's Swin)
};

ModulePtr layer(const Config& c, const Variant& v, int64_t dim, int64_t heads, int64_t w, bool drop_path) {
  bool qkv_bias = c.b("qkv_bias", true);
  auto self = make(v.p + "SelfAttention");
  if (v.v2) {
    self->param("logit_scale", {heads, 1, 1});
    auto cpb = make("Sequential");
    cpb->add("0", linear(2, 512));
    cpb->add("1", leaf("ReLU"));
    cpb->add("2", linear(512, heads, false));
    self->add("continuous_position_bias_mlp", cpb);
    self->buffer("relative_coords_table", {1, 2 * w - 1, 2 * w - 1, 2}, DType::F32, false);
    self->buffer("relative_position_index", {w * w, w * w}, DType::I64, false);
  } else {
    self->param("relative_position_bias_table", {(2 * w - 1) * (2 * w - 1), heads});
    self->buffer("relative_position_index", {w * w, w * w}, DType::I64, true);
  }
  self->add("query", linear(dim, dim, qkv_bias));
  self->add("key", linear(dim, dim, v.v2 ? false : qkv_bias));
  self->add("value", linear(dim, dim, qkv_bias));
  self->add("dropout", leaf("Dropout"));
  auto so = make(v.p + "SelfOutput");
  so->add("dense", linear(dim, dim));
  so->add("dropout", leaf("Dropout"));
  auto attn = make(v.p + "Attention");
  attn->add("self", self);
  attn->add("output", so);
  int64_t hidden = static_cast<int64_t>(c.f("mlp_ratio", 4.0) * static_cast<double>(dim));
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto im = make(v.p + "Intermediate");
  im->add("dense", linear(dim, hidden));
  im->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto out = make(v.p + "Output");
  out->add("dense", linear(hidden, dim));
  out->add("dropout", leaf("Dropout"));
  auto l = make(v.p + "Layer");
  auto dp = leaf(drop_path ? (v.v2 ? "Swinv2DropPath" : "DonutDropPath") : "Identity");
  if (v.v2) {
    l->add("attention", attn);
    l->add("layernorm_before", layer_norm(dim));
    l->add("drop_path", dp);
    l->add("intermediate", im);
    l->add("output", out);
    l->add("layernorm_after", layer_norm(dim));
  } else {
    l->add("layernorm_before", layer_norm(dim));
    l->add("attention", attn);
    l->add("drop_path", dp);
    l->add("layernorm_after", layer_norm(dim));
    l->add("intermediate", im);
    l->add("output", out);
  }
  return l;
}

// <P>Model (embeddings, encoder.layers of stages, layernorm for V2, pooler) with its final width in `features`.
ModulePtr model(const Config& c, const Variant& v, bool pooler, bool mask_token, int64_t& features) {
  int64_t embed = media::dim(c, "embed_dim", 96), window = media::dim(c, "window_size", 7);
  media::require(c, window <= 4096, "window_size out of range");
  auto depths = media::dims(c, "depths", {2, 2, 6, 2}, 0);
  auto heads = media::dims(c, "num_heads", {3, 6, 12, 24});
  media::require(c, !depths.empty() && depths.size() <= 16 && heads.size() >= depths.size(),
                 "depths/num_heads lengths are inconsistent");
  auto [ih, iw] = media::pair(c, "image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 4);

  auto pe = make(v.p + "PatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), embed, ph, pw));
  auto emb = make(v.p + "Embeddings");
  emb->add("patch_embeddings", pe);
  if (mask_token) emb->param("mask_token", {1, 1, embed});
  if (c.b("use_absolute_embeddings", false)) emb->param("position_embeddings", {1, (ih / ph) * (iw / pw) + 1, embed});
  emb->add("norm", layer_norm(embed));
  emb->add("dropout", leaf("Dropout"));

  // Stochastic depth grows linearly from 0 over all blocks: only the very first block keeps an Identity.
  bool dpr = c.f("drop_path_rate", 0.1) > 0;
  auto stages = make("ModuleList");
  int64_t gh = ih / ph;
  for (size_t i = 0; i < depths.size(); ++i) {
    int64_t dim = embed << i;
    media::require(c, dim <= media::kMaxDim, "embed_dim too large");
    int64_t w = v.v2 ? std::max<int64_t>(1, std::min(gh >> i, window)) : window;
    auto plain = layer(c, v, dim, heads[i], w, dpr);
    auto first = i == 0 ? layer(c, v, dim, heads[i], w, false) : plain;
    std::vector<ModulePtr> blocks;
    for (int64_t j = 0; j < depths[i]; ++j) blocks.push_back(j == 0 ? first : plain);
    auto stage = make(v.p + "Stage");
    stage->add("blocks", module_list(blocks));
    if (i + 1 < depths.size()) {
      auto merge = make(v.p + "PatchMerging");
      merge->add("reduction", linear(4 * dim, 2 * dim, false));
      merge->add("norm", layer_norm(v.v2 ? 2 * dim : 4 * dim));
      stage->add("downsample", merge);
    }
    stages->add(std::to_string(i), stage);
  }
  auto enc = make(v.p + "Encoder");
  enc->add("layers", stages);

  features = embed << (depths.size() - 1);
  auto m = make(v.p + "Model");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  if (v.v2 || v.final_norm) m->add("layernorm", layer_norm(features));
  if (pooler) m->add("pooler", leaf("AdaptiveAvgPool1d"));
  return m;
}

Model build(const Config& c, std::string_view cls, const Variant& v, const std::string& base) {
  std::vector<std::string> no_split{v.p + "Stage"};
  int64_t features = 0;
  if (cls == v.p + "Model") return {model(c, v, true, false, features), no_split};
  if (cls == v.p + "ForImageClassification" || (v.v2 && cls == v.p + "ForMaskedImageModeling")) {
    bool mim = cls.ends_with("ForMaskedImageModeling");
    auto root = make(std::string(cls));
    root->add(base, model(c, v, !mim, mim, features));
    if (mim) {
      int64_t stride = media::dim(c, "encoder_stride", 32), ch = media::dim(c, "num_channels", 3);
      media::require(c, stride <= 4096, "encoder_stride out of range");
      auto dec = make("Sequential");
      dec->add("0", conv2d(features, stride * stride * ch, 1));
      dec->add("1", leaf("PixelShuffle"));
      root->add("decoder", dec);
    } else {
      root->add("classifier", media::linear_or_identity(features, heads::num_labels(c)));
    }
    return {root, no_split};
  }
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"donut-swin"}, "DonutSwin", [](const Config& c, std::string_view cls) {
  return build(c, cls, {"DonutSwin", false}, "donut");
});
MEMFIT_FAMILY({"swinv2"}, "Swinv2", [](const Config& c, std::string_view cls) {
  return build(c, cls, {"Swinv2", true}, "swinv2");
});
// MaskFormer's Swin on its own (AutoModel of a maskformer-swin config, modeling_maskformer_swin.py): the
// MaskFormerSwinModel that MaskFormerSwinBackbone wraps, with its parameter-free pooler.
MEMFIT_FAMILY({"maskformer-swin"}, "MaskFormerSwin", [](const Config& c, std::string_view cls) {
  if (cls != "MaskFormerSwinModel") heads::unsupported(cls);
  int64_t features = 0;
  return Model{model(c, {"MaskFormerSwin", false, true}, true, false, features), {"MaskFormerSwinStage"}};
});

}  // namespace

ModulePtr swin_v4_layer(const Config& c, const std::string& p, int64_t dim, int64_t heads, int64_t window,
                        bool drop_path) {
  return layer(c, Variant{p, false}, dim, heads, window, drop_path);
}

ModulePtr swin_v2_layer(const Config& c, const std::string& p, int64_t dim, int64_t heads, int64_t window) {
  return layer(c, Variant{p, true}, dim, heads, window, false);
}

ModulePtr maskformer_swin_backbone(const Config& c) {
  int64_t features = 0;
  auto b = make("MaskFormerSwinBackbone");
  b->add("model", model(c, {"MaskFormerSwin", false, true}, true, false, features));
  auto norms = make("ModuleList");
  int64_t embed = media::dim(c, "embed_dim", 96);
  auto depths = media::dims(c, "depths", {2, 2, 6, 2}, 0);
  for (size_t i = 0; i < depths.size(); ++i) norms->add(std::to_string(i), layer_norm(embed << i));
  b->add("hidden_states_norms", norms);
  return b;
}

}  // namespace memfit
