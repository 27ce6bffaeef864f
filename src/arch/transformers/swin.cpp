// Swin Transformer: transformers' modeling_swin.py (v5 layout: q/k/v/o_proj and a relative_position_bias module per
// attention, mlp.fc1/fc2). Stages of windowed-attention blocks with patch merging between them. Checkpoints keep
// the transformers 4 names (attention.self.query, intermediate.dense, ...), restored on save.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr swin_layer(const Config& c, int64_t dim, int64_t heads, int64_t window, bool drop_path) {
  bool qkv_bias = c.b("qkv_bias", true);
  auto bias = make("SwinRelativePositionBias");
  bias->param("relative_position_bias_table", {(2 * window - 1) * (2 * window - 1), heads});
  bias->buffer("relative_position_index", {window * window * window * window}, DType::I64, false);
  auto attn = make("SwinAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(dim, dim, qkv_bias));
  attn->add("o_proj", linear(dim, dim));
  attn->add("relative_position_bias", bias);
  int64_t hidden = static_cast<int64_t>(c.f("mlp_ratio", 4.0) * static_cast<double>(dim));
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto mlp = make("SwinMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(dim, hidden));
  mlp->add("fc2", linear(hidden, dim));
  auto l = make("SwinLayer");
  l->add("attention", attn);
  l->add("layernorm_before", layer_norm(dim));
  l->add("layernorm_after", layer_norm(dim));
  l->add("mlp", mlp);
  l->add("dropout", leaf("Dropout"));
  l->add("drop_path", leaf(drop_path ? "SwinDropPath" : "Identity"));
  return l;
}

ModulePtr swin_model(const Config& c, bool pooler, bool mask_token) {
  int64_t embed = media::dim(c, "embed_dim", 96), window = media::dim(c, "window_size", 7);
  media::require(c, window <= 4096, "window_size out of range");
  auto depths = media::dims(c, "depths", {2, 2, 6, 2}, 0);
  auto heads = media::dims(c, "num_heads", {3, 6, 12, 24});
  media::require(c, !depths.empty() && depths.size() <= 16 && heads.size() >= depths.size(),
                 "depths/num_heads lengths are inconsistent");
  auto [ih, iw] = media::pair(c, "image_size", 224);
  auto [ph, pw] = media::pair(c, "patch_size", 4);

  auto pe = make("SwinPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), embed, ph, pw));
  auto emb = make("SwinEmbeddings");
  emb->add("patch_embeddings", pe);
  if (mask_token) emb->param("mask_token", {1, 1, embed});
  if (c.b("use_absolute_embeddings", false)) emb->param("position_embeddings", {1, (ih / ph) * (iw / pw), embed});
  emb->add("norm", layer_norm(embed));
  emb->add("dropout", leaf("Dropout"));

  // Stochastic depth grows linearly from 0 over all blocks: only the very first block keeps an Identity.
  bool dpr = c.f("drop_path_rate", 0.1) > 0;
  auto stages = make("ModuleList");
  for (size_t i = 0; i < depths.size(); ++i) {
    int64_t dim = embed << i;
    media::require(c, dim <= media::kMaxDim, "embed_dim too large");
    auto plain = swin_layer(c, dim, heads[i], window, dpr);
    auto first = i == 0 ? swin_layer(c, dim, heads[i], window, false) : plain;
    std::vector<ModulePtr> blocks;
    for (int64_t j = 0; j < depths[i]; ++j) blocks.push_back(j == 0 ? first : plain);
    auto stage = make("SwinStage");
    stage->add("blocks", module_list(blocks));
    if (i + 1 < depths.size()) {
      auto merge = make("SwinPatchMerging");
      merge->add("reduction", linear(4 * dim, 2 * dim, false));
      merge->add("norm", layer_norm(4 * dim));
      stage->add("downsample", merge);
    }
    stages->add(std::to_string(i), stage);
  }
  auto enc = make("SwinEncoder");
  enc->add("layers", stages);

  auto m = make("SwinModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(embed << (depths.size() - 1)));
  if (pooler) m->add("pooler", leaf("AdaptiveAvgPool1d"));
  return m;
}

// Checkpoints keep the transformers 4 attention / MLP names.
CheckpointMapping swin_checkpoint_names() {
  return rename_mapping({
      {R"(attention\.q_proj\.)", "attention.self.query."},
      {R"(attention\.k_proj\.)", "attention.self.key."},
      {R"(attention\.v_proj\.)", "attention.self.value."},
      {R"(attention\.relative_position_bias\.relative_position_bias_table)",
       "attention.self.relative_position_bias_table"},
      {R"(attention\.o_proj\.)", "attention.output.dense."},
      {R"(mlp\.fc1\.)", "intermediate.dense."},
      {R"(mlp\.fc2\.)", "output.dense."},
  });
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"SwinStage"};
  Model m;
  if (cls == "SwinModel") {
    m = {swin_model(c, true, false), no_split};
  } else if (cls == "SwinForImageClassification" || cls == "SwinForMaskedImageModeling") {
    bool mim = cls == "SwinForMaskedImageModeling";
    auto root = make(std::string(cls));
    auto swin = swin_model(c, !mim, mim);
    int64_t features = swin->child("layernorm")->params[0].second.shape[0];
    root->add("swin", swin);
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
    m = {root, no_split};
  } else if (cls == "SwinBackbone") {  // load_backbone's: swin (no pooler), a LayerNorm per out_features stage
    auto root = make("SwinBackbone");
    root->add("swin", swin_model(c, false, false));
    auto depths = media::dims(c, "depths", {2, 2, 6, 2}, 0);
    auto norms = make("ModuleDict");
    for (int64_t i : media::dims(c, "out_indices", {static_cast<int64_t>(depths.size())}, 0)) {
      media::require(c, i <= static_cast<int64_t>(depths.size()), "out_indices out of range");
      int64_t ch = media::dim(c, "embed_dim", 96) << (i == 0 ? 0 : i - 1);  // stem, then stage i
      norms->add(i == 0 ? "stem" : "stage" + std::to_string(i), layer_norm(ch));
    }
    root->add("hidden_states_norms", norms);
    m = {root, no_split};
  } else {
    heads::unsupported(cls);
  }
  m.to_checkpoint = swin_checkpoint_names();
  return m;
}

MEMFIT_FAMILY({"swin"}, "Swin", build);

}  // namespace
}  // namespace memfit
