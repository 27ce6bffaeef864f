// timm ConvNeXt (timm/models/convnext.py) from its registered arguments: patch stem, four ConvNeXtStages (downsample
// norm + conv, ConvNeXtBlocks of depthwise conv_dw, norm, Mlp / GlobalResponseNormMlp (V2), layer-scale gamma),
// NormMlpClassifierHead. ConvNeXt V1 and V2, atto..xxlarge.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Opts {
  bool conv_mlp, grn, gamma, bias;
  std::string norm2d, norm_cl;  // timm's (norm_layer, norm_layer_cl) from _NORM_MAP
};

// A norm of `kind` (LayerNorm*: weight and bias; RmsNorm* / SimpleNorm*: weight only) over `dim`.
ModulePtr conv_norm(const std::string& kind, int64_t dim) {
  if (kind.starts_with("LayerNorm")) return layer_norm(dim, true, kind);
  auto m = make(kind);
  m->param("weight", {dim});
  return m;
}

ModulePtr block_mlp(const Opts& o, int64_t chs) {
  int64_t hidden = 4 * chs;
  auto lin = [&](int64_t in, int64_t out) { return o.conv_mlp ? conv2d(in, out, 1, true) : linear(in, out); };
  auto m = make(o.grn ? "GlobalResponseNormMlp" : "Mlp");
  m->add("fc1", lin(chs, hidden));
  m->add("act", leaf("GELU"));
  m->add("drop1", leaf("Dropout"));
  if (o.grn) {
    auto g = make("GlobalResponseNorm");
    g->param("weight", {hidden});
    g->param("bias", {hidden});
    m->add("grn", g);
  } else {
    m->add("norm", leaf("Identity"));
  }
  m->add("fc2", lin(hidden, chs));
  m->add("drop2", leaf("Dropout"));
  return m;
}

ModulePtr block(const Opts& o, int64_t chs, int64_t k) {
  auto b = make("ConvNeXtBlock");
  if (o.gamma) b->param("gamma", {chs});
  b->add("conv_dw", conv2d(chs, chs, k, o.bias, chs));
  b->add("norm", conv_norm(o.conv_mlp ? o.norm2d : o.norm_cl, chs));
  b->add("mlp", block_mlp(o, chs));
  b->add("shortcut", leaf("Identity"));
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  std::string stem_type = a.s("stem_type");
  if (stem_type != "patch" && stem_type != "overlap" && stem_type != "overlap_tiered" && stem_type != "overlap_act")
    a.unsupported("stem_type " + stem_type);
  std::string nl = a.has("norm_layer") ? a.layer("norm_layer") : "layernorm";
  if (nl.ends_with("2d")) nl.resize(nl.size() - 2);
  std::string base = nl == "layernorm" ? "LayerNorm" : nl == "rmsnorm" ? "RmsNorm" : nl == "simplenorm" ? "SimpleNorm" : "";
  if (base.empty()) a.unsupported("norm_layer " + a.layer("norm_layer"));
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  Opts o{a.b("conv_mlp"), a.b("use_grn"), a.has("ls_init_value"), a.b("conv_bias"), base + "2d", base};
  auto depths = a.ints("depths"), dims = a.ints("dims"), ks = a.ints("kernel_sizes");
  if (ks.size() == 1) ks.assign(4, ks[0]);
  if (depths.size() != 4 || dims.size() != 4 || ks.size() != 4) a.unsupported("not four stages");
  auto root = make("ConvNeXt");
  auto stem = make("Sequential");
  int64_t in_chans = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  if (stem_type == "patch") {
    stem->add("0", conv2d(in_chans, dims[0], a.i("patch_size"), o.bias));
  } else {  // overlapping 3x3 stride-2 convs, a halved (tiered) mid width, an act between them (overlap_act)
    int64_t mid = stem_type.find("tiered") != std::string::npos ? timm::make_divisible(static_cast<double>(dims[0] / 2)) : dims[0];
    stem->add("0", conv2d(in_chans, mid, 3, o.bias));
    if (stem_type.find("act") != std::string::npos) stem->add("1", leaf("GELU"));
    stem->add(std::to_string(stem->children.size()), conv2d(mid, dims[0], 3, o.bias));
  }
  stem->add(std::to_string(stem->children.size()), conv_norm(o.norm2d, dims[0]));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = dims[0];
  for (int i = 0; i < 4; ++i) {
    auto st = make("ConvNeXtStage");
    if (i > 0) {
      auto ds = make("Sequential");
      ds->add("0", conv_norm(o.norm2d, prev));
      ds->add("1", conv2d(prev, dims[i], 2, o.bias));
      st->add("downsample", ds);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    st->add("blocks", timm::seq(timm::checked(depths[i], 0, 1000, "depths"), [&](int64_t) { return block(o, dims[i], ks[i]); }));
    stages->add(std::to_string(i), st);
    prev = dims[i];
  }
  root->add("stages", stages);
  if (a.b("head_norm_first")) {
    root->add("norm_pre", conv_norm(o.norm2d, prev));
    root->add("head", timm::classifier_head(prev, a.i("num_classes")));
    return timm::model(root);
  }
  root->add("norm_pre", leaf("Identity"));
  int64_t hidden = a.has("head_hidden_size") ? a.i("head_hidden_size") : 0;
  auto head = timm::norm_mlp_head(prev, a.i("num_classes"), "LayerNorm2d", hidden);
  if (base != "LayerNorm") head->children[1].second = conv_norm(o.norm2d, prev);
  root->add("head", head);
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"ConvNeXt"}, build);

}  // namespace
}  // namespace memfit
