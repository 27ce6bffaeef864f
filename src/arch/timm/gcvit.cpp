// timm GlobalContextVit (timm/models/gcvit.py) from its registered arguments: Stem (conv + Downsample2d of
// LayerNorm2d, MbConvBlock with SE, strided conv, LayerNorm2d), GlobalContextVitStages (Downsample2d, FeatureBlock of
// MbConvBlocks + pools, GlobalContextVitBlocks of WindowAttentionGlobal with RelPosBias, Mlp, LayerScales), head.
#include <array>
#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// MbConvBlock(dim): depthwise conv, act, SE (rd_ratio 0.25, no bias, GELU), pointwise conv; all bias-free.
ModulePtr mbconv(int64_t dim) {
  int64_t rd = timm::make_divisible(static_cast<double>(dim) * 0.25, 8, 0, 0.0);
  auto se = make("SEModule");
  se->add("fc1", conv2d(dim, rd, 1, false));
  se->add("bn", leaf("Identity"));
  se->add("act", leaf("GELU"));
  se->add("fc2", conv2d(rd, dim, 1, false));
  se->add("gate", leaf("Sigmoid"));
  auto m = make("MbConvBlock");
  m->add("conv_dw", conv2d(dim, dim, 3, false, dim));
  m->add("act", leaf("GELU"));
  m->add("se", se);
  m->add("conv_pw", conv2d(dim, dim, 1, false));
  return m;
}

ModulePtr downsample(int64_t dim, int64_t out) {
  auto d = make("Downsample2d");
  d->add("norm1", layer_norm(dim, true, "LayerNorm2d"));
  d->add("conv_block", mbconv(dim));
  d->add("reduction", conv2d(dim, out, 3, false));
  d->add("norm2", layer_norm(out, true, "LayerNorm2d"));
  return d;
}

ModulePtr gc_block(int64_t dim, int64_t heads, int64_t wh, int64_t ww, int64_t hidden, bool global, bool qkv_bias,
                   bool ls) {
  auto rp = make("RelPosBias");
  rp->param("relative_position_bias_table", {(2 * wh - 1) * (2 * ww - 1), heads});
  rp->buffer("relative_position_index", {wh * ww * wh * ww}, DType::I64, false);
  auto at = make("WindowAttentionGlobal");
  at->add("rel_pos", rp);
  at->add("qkv", linear(dim, dim * (global ? 2 : 3), qkv_bias));
  at->add("attn_drop", leaf("Dropout"));
  at->add("proj", linear(dim, dim));
  at->add("proj_drop", leaf("Dropout"));
  auto b = make("GlobalContextVitBlock");
  b->add("norm1", layer_norm(dim));
  b->add("attn", at);
  b->add("ls1", timm::layer_scale(dim, ls));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", timm::mlp(dim, hidden, dim));
  b->add("ls2", timm::layer_scale(dim, ls));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.s("norm_layer") != "layernorm2d" || a.s("norm_layer_cl") != "layernorm")
    a.unsupported("norm_layer " + a.s("norm_layer") + " / " + a.s("norm_layer_cl"));
  auto depths = a.ints("depths"), heads = a.ints("num_heads"), img = a.ints("img_size");
  if (img.size() == 1) img.push_back(img[0]);
  const size_t n = depths.size();
  if (n == 0 || heads.size() != n || img.size() != 2) a.unsupported("depths / num_heads lengths differ");
  std::vector<std::array<int64_t, 2>> win;
  auto per_stage = [&](const char* k) {
    auto v = a.ints(k);
    if (v.size() == 1) v.assign(n, v[0]);
    if (v.size() != n) a.unsupported(std::string(k) + " of a different length than depths");
    return v;
  };
  if (a.has("window_size")) {
    for (auto w : per_stage("window_size")) win.push_back({w, w});
  } else {
    for (auto r : per_stage("window_ratio"))
      win.push_back({img[0] / timm::checked(r, 1, 1 << 16, "window_ratio"), img[1] / r});
  }
  const int64_t embed = timm::checked(a.i("embed_dim"), 1, 1 << 16, "embed_dim");
  const double mlp_ratio = a.f("mlp_ratio");
  const bool qkv_bias = a.b("qkv_bias"), ls = a.has("layer_scale");
  auto root = make("GlobalContextVit");
  auto stem = make("Stem");
  stem->add("conv1", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), embed, 3));
  stem->add("down", downsample(embed, embed));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t dim = embed;
  for (size_t i = 0; i < n; ++i) {
    int64_t scale = int64_t{1} << (i > 0 ? i - 1 : 0);
    dim = embed * scale;
    int64_t fh = img[0] / 4 / scale, fw = img[1] / 4 / scale;
    auto st = make("GlobalContextVitStage");
    if (i > 0) {
      st->add("downsample", downsample(dim, dim * 2));
      dim *= 2, fh /= 2, fw /= 2;
    } else {
      st->add("downsample", leaf("Identity"));
    }
    if (win[i][0] < 1 || win[i][1] < 1 || fh < 1 || fw < 1) a.unsupported("window larger than the feature map");
    auto reductions = static_cast<int64_t>(std::log2(static_cast<double>(std::min(fh, fw)) /
                                                     static_cast<double>(std::min(win[i][0], win[i][1]))));
    auto fb_blocks = make("Sequential");
    const int64_t levels = std::max<int64_t>(1, reductions);
    for (int64_t l = 0; l < levels; ++l) {
      fb_blocks->add("conv" + std::to_string(l + 1), mbconv(dim));
      if (reductions) fb_blocks->add("pool" + std::to_string(l + 1), leaf("MaxPool2d")), --reductions;
    }
    auto fb = make("FeatureBlock");
    fb->add("blocks", fb_blocks);
    st->add("global_block", fb);
    st->add("global_norm", leaf("Identity"));
    int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * mlp_ratio);
    st->add("blocks", timm::seq(timm::checked(depths[i], 0, 1024, "depths"), [&](int64_t k) {
      return gc_block(dim, timm::checked(heads[i], 1, 4096, "num_heads"), win[i][0], win[i][1], hidden, k % 2 != 0,
                      qkv_bias, ls);
    }, "ModuleList"));
    st->add("norm", i == n - 1 ? layer_norm(dim) : leaf("Identity"));
    stages->add(std::to_string(i), st);
  }
  root->add("stages", stages);
  root->add("head", timm::classifier_head(embed << (n - 1), a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"GlobalContextVit"}, build);

}  // namespace
}  // namespace memfit
