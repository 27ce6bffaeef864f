// timm RDNet (timm/models/rdnet.py) from its registered arguments: a patch stem, dense stages (LayerNorm2d + conv
// transition, then a DenseStage of DenseBlocks whose Block / BlockESE layers grow the features by growth_rate each:
// depthwise 7x7 conv, norm, 1x1 up, act, 1x1 down, optional EffectiveSEModule; layer-scale gamma), and a
// NormMlpClassifierHead.
#include <cctype>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const timm::Args& a) {
  if (a.s("stem_type") != "patch") a.unsupported("stem_type " + a.s("stem_type"));
  std::string nl = a.layer("norm_layer");
  if (nl != "layernorm2d" && nl != "LayerNorm2d") a.unsupported("norm_layer " + nl);
  auto growth = a.ints("growth_rates"), nblocks = a.ints("num_blocks_list");
  const Json &types = a.raw("block_type"), &down = a.raw("is_downsample_block");
  size_t n = growth.size();
  if (n == 0 || n > 64 || nblocks.size() != n || !types.is_array() || types.size() != n || !down.is_array() ||
      down.size() != n)
    a.unsupported("per-stage lists of different lengths");
  double bw = a.f("bottleneck_width_ratio"), tc = a.f("transition_compression_ratio");
  if (!(bw > 0 && bw <= 64 && tc > 0 && tc <= 1)) a.unsupported("ratios");
  bool gamma = a.f("ls_init_value") > 0, bias = a.b("conv_bias");
  auto norm = [](int64_t c) { return layer_norm(c, true, "LayerNorm2d"); };
  int64_t feats = timm::checked(a.i("num_init_features"), 1, 1 << 16, "num_init_features");
  auto root = make("RDNet");
  auto stem = make("Sequential");
  stem->add("0", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), feats, a.i("patch_size"), bias));
  stem->add("1", norm(feats));
  root->add("stem", stem);
  auto stages = make("Sequential");
  for (size_t i = 0; i < n; ++i) {
    auto st = make("Sequential");
    if (i != 0) {
      int64_t compressed = static_cast<int64_t>(static_cast<double>(feats) * tc / 8) * 8;
      int64_t k = down[i].is_boolean() && down[i].get<bool>() ? 2 : 1;
      st->add("0", norm(feats));
      st->add("1", conv2d(feats, compressed, k));
      feats = compressed;
    }
    std::string type = types[i].get<std::string>();
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type != "block" && type != "blockese") a.unsupported("block_type " + types[i].get<std::string>());
    int64_t g = timm::checked(growth[i], 1, 1 << 16, "growth_rates");
    auto ds = make("DenseStage");
    for (int64_t j = 0; j < timm::checked(nblocks[i], 0, 1000, "num_blocks_list"); ++j) {
      auto db = make("DenseBlock");
      if (gamma) db->param("gamma", {g});
      db->add("drop_path", leaf("DropPath"));
      int64_t inter = static_cast<int64_t>(static_cast<double>(feats) * bw / 8) * 8;
      auto blk = make(type == "block" ? "Block" : "BlockESE");
      auto layers = make("Sequential");
      layers->add("0", conv2d(feats, feats, 7, true, feats));
      layers->add("1", norm(feats));
      layers->add("2", conv2d(feats, inter, 1));
      layers->add("3", leaf("GELU"));
      layers->add("4", conv2d(inter, g, 1));
      if (type == "blockese") {
        auto se = make("EffectiveSEModule");
        se->add("fc", conv2d(g, g, 1));
        se->add("gate", leaf("Hardsigmoid"));
        layers->add("5", se);
      }
      blk->add("layers", layers);
      db->add("layers", blk);
      ds->add("dense_block" + std::to_string(j), db);
      feats += g;
    }
    st->add(std::to_string(st->children.size()), ds);
    stages->add(std::to_string(i), st);
  }
  root->add("dense_stages", stages);
  if (a.b("head_norm_first")) {
    root->add("norm_pre", norm(feats));
    root->add("head", timm::classifier_head(feats, a.i("num_classes")));
  } else {
    root->add("norm_pre", leaf("Identity"));
    root->add("head", timm::norm_mlp_head(feats, a.i("num_classes")));
  }
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"RDNet"}, build);

}  // namespace
}  // namespace memfit
