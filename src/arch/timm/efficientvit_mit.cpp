// timm EfficientVit / EfficientVitLarge (timm/models/efficientvit_mit.py, MIT's EfficientViT) from their registered
// arguments: Stem (ConvNormAct + ResidualBlocks of DSConv / ConvBlock), stages of ResidualBlocks over local blocks
// (DSConv, ConvBlock, MBConv, FusedMBConv; "fewer_norm" variants with bias instead of a norm) and EfficientVitBlocks
// (LiteMLA multi-scale linear attention + MBConv), ClassifierHead (1x1 ConvNormAct, pool, Linear-LayerNorm-act-Linear).
#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// efficientvit_mit's ConvNormAct: dropout, conv, norm (BatchNorm2d or Identity), act.
ModulePtr cna(int64_t in, int64_t out, int64_t k, int64_t groups, bool bias, bool norm, const std::string& act) {
  auto m = make("ConvNormAct");
  m->add("dropout", leaf("Dropout"));
  m->add("conv", conv2d(in, out, k, bias, groups));
  m->add("norm", norm ? batch_norm(out) : leaf("Identity"));
  m->add("act", leaf(act.empty() ? "Identity" : act));
  return m;
}

ModulePtr residual(ModulePtr main, bool shortcut) {
  auto r = make("ResidualBlock");
  r->add("pre_norm", leaf("Identity"));
  r->add("main", std::move(main));
  if (shortcut) r->add("shortcut", leaf("Identity"));
  return r;
}

ModulePtr mbconv(int64_t in, int64_t out, double expand, bool fewer, const std::string& act) {
  int64_t mid = static_cast<int64_t>(std::nearbyint(static_cast<double>(in) * expand));
  auto m = make("MBConv");
  m->add("inverted_conv", cna(in, mid, 1, 1, fewer, !fewer, act));
  m->add("depth_conv", cna(mid, mid, 3, mid, fewer, !fewer, act));
  m->add("point_conv", cna(mid, out, 1, 1, false, true, ""));
  return m;
}

// build_local_block: DSConv / ConvBlock (expand 1), MBConv / FusedMBConv (expand > 1).
ModulePtr local_block(int64_t in, int64_t out, double expand, bool fewer, bool large, const std::string& act) {
  if (expand != 1.0 && !large) return mbconv(in, out, expand, fewer, act);
  int64_t mid = static_cast<int64_t>(std::nearbyint(static_cast<double>(in) * expand));
  const char* cls = expand == 1.0 ? (large ? "ConvBlock" : "DSConv") : "FusedMBConv";
  const char* first = expand == 1.0 ? (large ? "conv1" : "depth_conv") : "spatial_conv";
  const char* second = expand == 1.0 && large ? "conv2" : "point_conv";
  auto m = make(cls);
  bool dw = expand == 1.0 && !large;
  m->add(first, cna(in, dw ? in : mid, 3, dw ? in : 1, fewer, !fewer, act));
  m->add(second, cna(dw ? in : mid, out, expand == 1.0 && large ? 3 : 1, 1, false, true, ""));
  return m;
}

ModulePtr vit_block(int64_t dim, int64_t head_dim, double expand, const std::string& act) {
  int64_t heads = dim / head_dim, total = heads * head_dim;
  auto mla = make("LiteMLA");
  mla->add("qkv", cna(dim, 3 * total, 1, 1, false, false, ""));
  auto ag = make("Sequential");
  ag->add("0", conv2d(3 * total, 3 * total, 5, false, 3 * total));
  ag->add("1", conv2d(3 * total, 3 * total, 1, false, 3 * heads));
  auto aggreg = make("ModuleList");
  aggreg->add("0", ag);
  mla->add("aggreg", aggreg);
  mla->add("kernel_func", leaf("ReLU"));
  mla->add("proj", cna(total * 2, dim, 1, 1, false, true, ""));
  auto b = make("EfficientVitBlock");
  b->add("context_module", residual(mla, true));
  b->add("local_module", residual(mbconv(dim, dim, expand, true, act), true));
  return b;
}

Model build(const timm::Args& a) {
  const bool large = a.cls() == "EfficientVitLarge";
  if (a.layer("norm_layer") != "nn.BatchNorm2d") a.unsupported("norm_layer " + a.layer("norm_layer"));
  const std::string act_ref = a.layer("act_layer");
  if (act_ref != "nn.Hardswish" && act_ref != "GELUTanh") a.unsupported("act_layer " + act_ref);
  const std::string act = act_ref == "nn.Hardswish" ? "Hardswish" : "GELUTanh";
  auto widths = a.ints("widths"), depths = a.ints("depths"), head_w = a.ints("head_widths");
  if (widths.empty() || depths.size() != widths.size() || head_w.size() < 2)
    a.unsupported("widths / depths / head_widths");
  for (auto w : widths) timm::checked(w, 1, 1 << 16, "widths");
  const int64_t head_dim = timm::checked(a.i("head_dim"), 1, 4096, "head_dim");
  for (size_t i = 3; i < widths.size(); ++i)
    if (widths[i] < head_dim) a.unsupported("a width narrower than head_dim");
  if (!large && a.f("expand_ratio") < 1.0) a.unsupported("expand_ratio below 1");
  const double expand = large ? 4.0 : a.f("expand_ratio");
  auto root = make(a.cls());
  auto stem = make("Stem");
  stem->add("in_conv", cna(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), widths[0], 3, 1, false, true, act));
  for (int64_t i = 0; i < timm::checked(depths[0], 0, 1024, "depths"); ++i)
    stem->add("res" + std::to_string(i), residual(local_block(widths[0], widths[0], 1.0, false, large, act), true));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t in = widths[0];
  for (size_t i = 1; i < widths.size(); ++i) {
    size_t s = i - 1;
    int64_t w = widths[i], d = timm::checked(depths[i], 0, 1024, "depths");
    bool vit = large ? s >= 3 : s >= 2, fewer = large ? s >= 2 : vit;
    bool fused = large && !fewer;
    auto blocks = make("Sequential");
    double first_expand = large ? (vit ? 24.0 : 16.0) : expand;
    blocks->add("0", residual(local_block(in, w, first_expand, vit || fewer, fused, act), false));
    int64_t k = 1;
    if (vit) {
      for (int64_t j = 0; j < d; ++j)
        blocks->add(std::to_string(k++), vit_block(w, head_dim, large ? 6.0 : expand, act));
    } else {
      for (int64_t j = large ? 0 : 1; j < d; ++j)
        blocks->add(std::to_string(k++), residual(local_block(w, w, expand, large && fewer, fused, act), true));
    }
    auto st = make(large ? "EfficientVitLargeStage" : "EfficientVitStage");
    st->add("blocks", blocks);
    stages->add(std::to_string(s), st);
    in = w;
  }
  root->add("stages", stages);
  auto head = make("ClassifierHead");
  head->add("in_conv", cna(in, head_w[0], 1, 1, false, true, act));
  head->add("global_pool", timm::select_pool());
  auto cl = make("Sequential");
  cl->add("0", linear(head_w[0], head_w[1], false));
  cl->add("1", layer_norm(head_w[1]));
  cl->add("2", leaf(act));
  cl->add("3", leaf("Dropout"));
  cl->add("4", timm::fc_or_identity(head_w[1], a.i("num_classes")));
  head->add("classifier", cl);
  root->add("head", head);
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"EfficientVit", "EfficientVitLarge"}, build);

}  // namespace
}  // namespace memfit
