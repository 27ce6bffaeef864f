// timm DaVit (timm/models/davit.py) from its registered arguments: Stem (7x7 conv stride 4 + LayerNorm2d),
// DaVitStages (Downsample norm + conv, then per block a Sequential of SpatialBlock (window attention) and
// ChannelBlock (channel attention), each with two ConvPosEnc depthwise convs, norms and an Mlp), NormMlpClassifierHead.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr cpe(int64_t dim, bool act) {
  auto m = make("ConvPosEnc");
  m->add("proj", conv2d(dim, dim, 3, true, dim));
  m->add("act", leaf(act ? "GELU" : "Identity"));
  return m;
}

// SpatialBlock (WindowAttention) or ChannelBlock (ChannelAttention / V2): the same tensors, different classes.
ModulePtr dual_block(bool spatial, int64_t dim, int64_t hidden, bool qkv_bias, bool ffn, bool cpe_act, bool v2) {
  auto b = make(spatial ? "SpatialBlock" : "ChannelBlock");
  b->add("cpe1", cpe(dim, cpe_act));
  b->add("norm1", layer_norm(dim));
  auto at = make(spatial ? "WindowAttention" : (v2 ? "ChannelAttentionV2" : "ChannelAttention"));
  at->add("qkv", linear(dim, dim * 3, qkv_bias));
  at->add("proj", linear(dim, dim));
  if (spatial) at->add("softmax", leaf("Softmax"));
  b->add("attn", at);
  if (ffn || !spatial) b->add("drop_path1", leaf("Identity"));
  b->add("cpe2", cpe(dim, cpe_act));
  if (ffn) {
    b->add("norm2", layer_norm(dim));
    b->add("mlp", timm::mlp(dim, hidden, dim));
    b->add("drop_path2", leaf("Identity"));
  }
  return b;
}

Model build(const timm::Args& a) {
  if (a.s("norm_layer") != "layernorm2d" || a.s("norm_layer_cl") != "layernorm")
    a.unsupported("norm_layer " + a.s("norm_layer") + " / " + a.s("norm_layer_cl"));
  auto depths = a.ints("depths"), dims = a.ints("embed_dims"), heads = a.ints("num_heads");
  const size_t n = depths.size();
  if (n == 0 || dims.size() != n || heads.size() != n) a.unsupported("depths / embed_dims / num_heads lengths differ");
  std::vector<std::string> types;
  for (const auto& t : a.raw("attn_types")) {
    if (t != "spatial" && t != "channel") a.unsupported("attn_types " + t.dump());
    types.push_back(t.get<std::string>());
  }
  const bool qkv_bias = a.b("qkv_bias"), ffn = a.b("ffn"), cpe_act = a.b("cpe_act"), v2 = a.b("channel_attn_v2"),
             named = a.b("named_blocks");
  const int64_t dk = timm::checked(a.i("down_kernel_size"), 1, 64, "down_kernel_size");
  const double mlp_ratio = a.f("mlp_ratio");
  auto root = make("DaVit");
  auto stem = make("Stem");
  stem->add("conv", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dims[0], 7));
  stem->add("norm", layer_norm(dims[0], true, "LayerNorm2d"));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t in = dims[0];
  for (size_t i = 0; i < n; ++i) {
    int64_t dim = timm::checked(dims[i], 1, 1 << 16, "embed_dims");
    int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * mlp_ratio);
    auto st = make("DaVitStage");
    if (i > 0) {
      auto ds = make("Downsample");
      ds->add("norm", layer_norm(in, true, "LayerNorm2d"));
      ds->add("conv", conv2d(in, dim, dk));
      st->add("downsample", ds);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    st->add("blocks", timm::seq(timm::checked(depths[i], 0, 1024, "depths"), [&](int64_t) {
      auto pair = make("Sequential");
      for (size_t t = 0; t < types.size(); ++t) {
        bool spatial = types[t] == "spatial";
        pair->add(named ? (spatial ? "spatial_block" : "channel_block") : std::to_string(t),
                  dual_block(spatial, dim, hidden, qkv_bias, ffn, cpe_act, v2));
      }
      return pair;
    }));
    stages->add(std::to_string(i), st);
    in = dim;
  }
  root->add("stages", stages);
  int64_t classes = a.i("num_classes");
  if (a.b("head_norm_first")) {
    root->add("norm_pre", layer_norm(in, true, "LayerNorm2d"));
    root->add("head", timm::classifier_head(in, classes));
  } else {
    root->add("norm_pre", leaf("Identity"));
    root->add("head", timm::norm_mlp_head(in, classes));
  }
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"DaVit"}, build);

}  // namespace
}  // namespace memfit
