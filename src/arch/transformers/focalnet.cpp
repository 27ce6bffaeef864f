// FocalNet: transformers' modeling_focalnet.py. A Swin-like hierarchy where attention is replaced by focal
// modulation (projection_in to 2*dim + levels + 1, depth-wise focal convs of growing kernels, a 1x1 context conv,
// projection_out); stages downsample with a patch-embedding conv + LayerNorm.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// FocalNetPatchEmbeddings: a patch conv (or a 7x7/3x3 overlapping conv with use_conv_embed) and an optional norm.
ModulePtr patch_embed(const Config& c, int64_t in, int64_t out, int64_t ph, int64_t pw, bool norm, bool stem) {
  auto e = make("FocalNetPatchEmbeddings");
  if (c.b("use_conv_embed", false)) {
    e->add("projection", conv2d(in, out, stem ? 7 : 3));
  } else {
    e->add("projection", conv2d(in, out, ph, pw));
  }
  if (norm) e->add("norm", layer_norm(out));
  return e;
}

ModulePtr focal_layer(const Config& c, int64_t dim, int64_t window, int64_t levels, bool dp) {
  media::require(c, window <= 64 && levels <= 64, "focal_windows / focal_levels out of range");
  auto mod = make("FocalNetModulation");
  mod->add("projection_in", linear(dim, 2 * dim + levels + 1));
  mod->add("projection_context", conv2d(dim, dim, 1));
  mod->add("activation", leaf("GELU"));
  mod->add("projection_out", linear(dim, dim));
  mod->add("projection_dropout", leaf("Dropout"));
  auto focal = make("ModuleList");
  for (int64_t k = 0; k < levels; ++k) {
    auto seq = make("Sequential");
    seq->add("0", conv2d(dim, dim, 2 * k + window, false, dim));
    seq->add("1", leaf("GELU"));
    focal->add(std::to_string(k), seq);
  }
  mod->add("focal_layers", focal);
  if (c.b("use_post_layernorm_in_modulation", false)) mod->add("layernorm", layer_norm(dim));
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * c.f("mlp_ratio", 4.0));
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto mlp = make("FocalNetMlp");
  mlp->add("fc1", linear(dim, hidden));
  mlp->add("activation", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc2", linear(hidden, dim));
  mlp->add("drop", leaf("Dropout"));
  auto l = make("FocalNetLayer");
  l->add("norm1", layer_norm(dim));
  l->add("modulation", mod);
  l->add("drop_path", leaf(dp ? "FocalNetDropPath" : "Identity"));
  l->add("norm2", layer_norm(dim));
  l->add("mlp", mlp);
  if (c.b("use_layerscale", false)) l->param("gamma_1", {dim}).param("gamma_2", {dim});
  return l;
}

ModulePtr focalnet_model(const Config& c, bool pooler, bool mask_token, int64_t& features) {
  int64_t embed = media::dim(c, "embed_dim", 96);
  auto depths = media::dims(c, "depths", {2, 2, 6, 2}, 0);
  auto windows = media::dims(c, "focal_windows", {3, 3, 3, 3});
  auto levels = media::dims(c, "focal_levels", {2, 2, 2, 2}, 0);
  media::require(c, !depths.empty() && depths.size() <= 16 && windows.size() >= depths.size() &&
                        levels.size() >= depths.size(),
                 "depths/focal_windows/focal_levels lengths are inconsistent");
  auto [ph, pw] = media::pair(c, "patch_size", 4);
  auto emb = make("FocalNetEmbeddings");
  emb->add("patch_embeddings", patch_embed(c, media::dim(c, "num_channels", 3), embed, ph, pw, false, true));
  if (mask_token) emb->param("mask_token", {1, 1, embed});
  emb->add("norm", layer_norm(embed));
  emb->add("dropout", leaf("Dropout"));

  bool dpr = c.f("drop_path_rate", 0.1) > 0;  // linear from 0 over all layers: only the very first is an Identity
  auto stages = make("ModuleList");
  for (size_t i = 0; i < depths.size(); ++i) {
    int64_t dim = embed << i;
    media::require(c, dim <= media::kMaxDim, "embed_dim too large");
    auto plain = focal_layer(c, dim, windows[i], levels[i], dpr);
    auto first = i == 0 ? focal_layer(c, dim, windows[i], levels[i], false) : plain;
    std::vector<ModulePtr> ls;
    for (int64_t j = 0; j < depths[i]; ++j) ls.push_back(j == 0 ? first : plain);
    auto st = make("FocalNetStage");
    st->add("layers", module_list(ls));
    if (i + 1 < depths.size()) st->add("downsample", patch_embed(c, dim, 2 * dim, 2, 2, true, false));
    stages->add(std::to_string(i), st);
  }
  auto enc = make("FocalNetEncoder");
  enc->add("stages", stages);
  features = embed << (depths.size() - 1);
  auto m = make("FocalNetModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(features));
  if (pooler) m->add("pooler", leaf("AdaptiveAvgPool1d"));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"FocalNetStage"};
  int64_t features = 0;
  if (cls == "FocalNetModel") return {focalnet_model(c, true, false, features), no_split};
  if (cls != "FocalNetForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("focalnet", focalnet_model(c, true, false, features));
  root->add("classifier", media::linear_or_identity(features, heads::num_labels(c)));
  return {root, no_split};
}

MEMFIT_FAMILY({"focalnet"}, "FocalNet", build);

}  // namespace
}  // namespace memfit
