// timm MaxxVit (timm/models/maxxvit.py) for the MaxViT TF models: Stem (conv1, norm1, conv2), MaxxVitStages of
// MaxxVitBlocks = MbConvBlock (Downsample2d shortcut, pre_norm, conv1_1x1, norm1, depthwise conv2_kxk, norm2, SE,
// conv3_1x1) + block and grid PartitionAttentionCl (AttentionCl with RelPosBiasTf), NormMlpClassifierHead.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Variant {
  std::vector<int64_t> dims, depths;
  int64_t stem, img;
};

ModulePtr partition_attn(int64_t dim, int64_t window) {
  auto rp = make("RelPosBiasTf");
  rp->param("relative_position_bias_table", {dim / 32, 2 * window - 1, 2 * window - 1});
  rp->buffer("height_lookup", {window, window, 2 * window - 1}, DType::F32, false);
  rp->buffer("width_lookup", {window, window, 2 * window - 1}, DType::F32, false);
  auto a = make("AttentionCl");
  a->add("qkv", linear(dim, dim * 3));
  a->add("rel_pos", rp);
  a->add("attn_drop", leaf("Dropout"));
  a->add("proj", linear(dim, dim));
  a->add("proj_drop", leaf("Dropout"));
  auto p = make("PartitionAttentionCl");
  p->add("norm1", layer_norm(dim));
  p->add("attn", a);
  p->add("ls1", leaf("Identity"));
  p->add("drop_path1", leaf("Identity"));
  p->add("norm2", layer_norm(dim));
  p->add("mlp", timm::mlp(dim, dim * 4, dim));
  p->add("ls2", leaf("Identity"));
  p->add("drop_path2", leaf("Identity"));
  return p;
}

ModulePtr mbconv(int64_t in, int64_t out, bool stride2) {
  int64_t mid = timm::make_divisible(out * 4.0);
  auto b = make("MbConvBlock");
  if (stride2) {
    auto d = make("Downsample2d");
    d->add("pool", leaf("AvgPool2d"));
    d->add("expand", in != out ? conv2d(in, out, 1) : leaf("Identity"));
    b->add("shortcut", d);
  } else {
    b->add("shortcut", leaf("Identity"));
  }
  b->add("pre_norm", timm::bn_act(in));
  b->add("down", leaf("Identity"));
  b->add("conv1_1x1", conv2d(in, mid, 1, false));
  b->add("norm1", timm::bn_act(mid));
  b->add("conv2_kxk", conv2d(mid, mid, 3, false, mid));
  b->add("norm2", timm::bn_act(mid));
  int64_t rd = out / 4;
  b->add("se", timm::se_module(mid, rd));
  b->add("conv3_1x1", conv2d(mid, out, 1));
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, Variant, std::less<>> variants{
      {"maxvit_tiny_tf_224", {{64, 128, 256, 512}, {2, 2, 5, 2}, 64, 224}},
      {"maxvit_tiny_tf_384", {{64, 128, 256, 512}, {2, 2, 5, 2}, 64, 384}},
      {"maxvit_tiny_tf_512", {{64, 128, 256, 512}, {2, 2, 5, 2}, 64, 512}},
      {"maxvit_small_tf_224", {{96, 192, 384, 768}, {2, 2, 5, 2}, 64, 224}},
      {"maxvit_small_tf_384", {{96, 192, 384, 768}, {2, 2, 5, 2}, 64, 384}},
      {"maxvit_small_tf_512", {{96, 192, 384, 768}, {2, 2, 5, 2}, 64, 512}},
      {"maxvit_base_tf_224", {{96, 192, 384, 768}, {2, 6, 14, 2}, 64, 224}},
      {"maxvit_base_tf_384", {{96, 192, 384, 768}, {2, 6, 14, 2}, 64, 384}},
      {"maxvit_base_tf_512", {{96, 192, 384, 768}, {2, 6, 14, 2}, 64, 512}},
      {"maxvit_large_tf_224", {{128, 256, 512, 1024}, {2, 6, 14, 2}, 128, 224}},
      {"maxvit_large_tf_384", {{128, 256, 512, 1024}, {2, 6, 14, 2}, 128, 384}},
      {"maxvit_large_tf_512", {{128, 256, 512, 1024}, {2, 6, 14, 2}, 128, 512}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const Variant& v = it->second;
  int64_t window = timm::img_size(c, v.img) / 32;
  auto stem = make("Stem");
  stem->add("conv1", conv2d(timm::in_chans(c), v.stem, 3));
  stem->add("norm1", timm::bn_act(v.stem));
  stem->add("conv2", conv2d(v.stem, v.stem, 3));
  auto root = make("MaxxVit");
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t in = v.stem;
  for (int s = 0; s < 4; ++s) {
    int64_t dim = v.dims[s];
    auto blocks = make("Sequential");
    for (int64_t k = 0; k < v.depths[s]; ++k) {
      auto b = make("MaxxVitBlock");
      b->add("conv", mbconv(k ? dim : in, dim, k == 0));
      b->add("attn_block", partition_attn(dim, window));
      b->add("attn_grid", partition_attn(dim, window));
      blocks->add(std::to_string(k), b);
    }
    auto st = make("MaxxVitStage");
    st->add("blocks", blocks);
    stages->add(std::to_string(s), st);
    in = dim;
  }
  root->add("stages", stages);
  root->add("norm", leaf("Identity"));
  root->add("head", timm::norm_mlp_head(in, timm::num_classes(c), "LayerNorm2d", in));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"maxvit_"}, build);

}  // namespace
}  // namespace memfit
