// timm MetaFormer (timm/models/metaformer.py) from its registered arguments: PoolFormer (v1/v2), ConvFormer and
// CAFormer. Stem conv + norm, four MetaFormerStages (Downsampling norm + conv, MetaFormerBlocks of norm1, token mixer
// (Pooling / SepConv / Attention), layer / residual Scale, norm2, Mlp with StarReLU or GELU), head (pool, norm, MlpHead
// or Linear).
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// The norm a name gives over `dim` ("" = none): weight-only for the *NoBias variants.
ModulePtr norm(const timm::Args& a, const std::string& n, int64_t dim) {
  if (n.empty()) return leaf("Identity");
  bool nobias = n.ends_with("NoBias");
  if (n != "GroupNorm1" && n != "GroupNorm1NoBias" && n != "LayerNorm2d" && n != "LayerNorm2dNoBias" &&
      n != "LayerNormNoBias")
    a.unsupported("norm " + n);
  auto m = make(n);
  m->param("weight", {dim});
  if (!nobias) m->param("bias", {dim});
  return m;
}

ModulePtr star_relu() {
  auto m = make("StarReLU");
  m->add("relu", leaf("ReLU"));
  m->param("scale", {1});
  m->param("bias", {1});
  return m;
}

ModulePtr scale(int64_t dim) {
  auto m = make("Scale");
  m->param("scale", {dim});
  return m;
}

ModulePtr token_mixer(const timm::Args& a, const std::string& kind, int64_t dim) {
  auto m = make(kind);
  if (kind == "Pooling") {
    m->add("pool", leaf("AvgPool2d"));
  } else if (kind == "SepConv") {
    int64_t mid = 2 * dim;
    m->add("pwconv1", conv2d(dim, mid, 1, false));
    m->add("act1", star_relu());
    m->add("dwconv", conv2d(mid, mid, 7, false, mid));
    m->add("act2", leaf("Identity"));
    m->add("pwconv2", conv2d(mid, dim, 1, false));
  } else if (kind == "Attention") {
    int64_t heads = std::max<int64_t>(dim / 32, 1), att = heads * 32;
    m->add("qkv", linear(dim, att * 3, false));
    m->add("attn_drop", leaf("Dropout"));
    m->add("proj", linear(att, dim, false));
    m->add("proj_drop", leaf("Dropout"));
  } else {
    a.unsupported("token mixer " + kind);
  }
  return m;
}

Model build(const timm::Args& a) {
  auto depths = a.ints("depths"), dims = a.ints("dims");
  size_t n = depths.size();
  if (dims.size() != n || n == 0) a.unsupported("depths / dims of different lengths");
  auto per_stage = [&](const char* k, size_t i) -> const Json& {
    const Json& v = a.raw(k);
    return v.is_array() ? v.at(i) : v;
  };
  std::string act = a.layer("mlp_act"), ds_norm = a.layer("downsample_norm");
  if (act != "StarReLU" && act != "nn.GELU") a.unsupported("mlp_act " + act);
  bool mlp_bias = a.b("mlp_bias");
  auto root = make("MetaFormer");
  auto stem = make("Stem");
  stem->add("conv", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dims[0], 7));
  stem->add("norm", norm(a, ds_norm, dims[0]));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = dims[0];
  for (size_t i = 0; i < n; ++i) {
    int64_t dim = dims[i];
    std::string mixer = timm::layer_name(per_stage("token_mixers", i)), nl = timm::layer_name(per_stage("norm_layers", i));
    bool ls = !per_stage("layer_scale_init_values", i).is_null(), rs = !per_stage("res_scale_init_values", i).is_null();
    auto st = make("MetaFormerStage");
    if (prev == dim) {
      st->add("downsample", leaf("Identity"));
    } else {
      auto ds = make("Downsampling");
      ds->add("norm", norm(a, ds_norm, prev));
      ds->add("conv", conv2d(prev, dim, 3));
      st->add("downsample", ds);
    }
    st->add("blocks", timm::seq(timm::checked(depths[i], 0, 1000, "depths"), [&](int64_t) {
               auto b = make("MetaFormerBlock");
               b->add("norm1", norm(a, nl, dim));
               b->add("token_mixer", token_mixer(a, mixer, dim));
               b->add("drop_path1", leaf("Identity"));
               b->add("layer_scale1", ls ? scale(dim) : leaf("Identity"));
               b->add("res_scale1", rs ? scale(dim) : leaf("Identity"));
               b->add("norm2", norm(a, nl, dim));
               auto mlp = make("Mlp");
               mlp->add("fc1", linear(dim, 4 * dim, mlp_bias));
               mlp->add("act", act == "StarReLU" ? star_relu() : leaf("GELU"));
               mlp->add("drop1", leaf("Dropout"));
               mlp->add("norm", leaf("Identity"));
               mlp->add("fc2", linear(4 * dim, dim, mlp_bias));
               mlp->add("drop2", leaf("Dropout"));
               b->add("mlp", mlp);
               b->add("drop_path2", leaf("Identity"));
               b->add("layer_scale2", ls ? scale(dim) : leaf("Identity"));
               b->add("res_scale2", rs ? scale(dim) : leaf("Identity"));
               return b;
             }));
    stages->add(std::to_string(i), st);
    prev = dim;
  }
  root->add("stages", stages);
  int64_t classes = a.i("num_classes");
  auto head = make("Sequential");
  head->add("global_pool", timm::select_pool());
  head->add("norm", norm(a, timm::layer_name(a.raw("output_norm")), prev));
  head->add("flatten", leaf("Flatten"));
  head->add("drop", leaf(a.b("use_mlp_head") ? "Dropout" : "Identity"));
  if (classes > 0 && a.b("use_mlp_head")) {
    auto h = make("MlpHead");
    h->add("fc1", linear(prev, 4 * prev));
    h->add("act", leaf("SquaredReLU"));
    h->add("norm", layer_norm(4 * prev));
    h->add("fc2", linear(4 * prev, classes));
    h->add("head_drop", leaf("Dropout"));
    head->add("fc", h);
  } else {
    head->add("fc", timm::fc_or_identity(prev, classes));
  }
  root->add("head", head);
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"MetaFormer"}, build);

}  // namespace
}  // namespace memfit
