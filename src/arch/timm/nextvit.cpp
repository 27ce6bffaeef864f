// timm NextViT (timm/models/nextvit.py) from its registered arguments: a stem of four ConvNormActs, NextStages of
// NextConvBlocks (PatchEmbed, ConvAttention, BatchNorm, ConvMlp) and NextTransformerBlocks (PatchEmbed, BatchNorm,
// EfficientAttention with spatial-reduction pooling + BatchNorm1d, projection PatchEmbed, ConvAttention, ConvMlp),
// with NextViT's fixed per-stage block widths / types; norm, ClassifierHead.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr cna(int64_t in, int64_t out) {
  auto m = make("ConvNormAct");
  m->add("conv", conv2d(in, out, 3, false));
  m->add("norm", batch_norm(out));
  m->add("act", leaf("ReLU"));
  return m;
}

ModulePtr patch_embed(int64_t in, int64_t out, int64_t stride) {
  auto m = make("PatchEmbed");
  bool proj = stride == 2 || in != out;
  m->add("pool", leaf(stride == 2 ? "AvgPool2d" : "Identity"));
  m->add("conv", proj ? conv2d(in, out, 1, false) : leaf("Identity"));
  m->add("norm", proj ? batch_norm(out) : leaf("Identity"));
  return m;
}

ModulePtr conv_attention(int64_t chs, int64_t head_dim) {
  auto m = make("ConvAttention");
  m->add("group_conv3x3", conv2d(chs, chs, 3, false, chs / head_dim));
  m->add("norm", batch_norm(chs));
  m->add("act", leaf("ReLU"));
  m->add("projection", conv2d(chs, chs, 1, false));
  return m;
}

ModulePtr conv_block(int64_t in, int64_t out, int64_t stride, int64_t head_dim) {
  auto b = make("NextConvBlock");
  b->add("patch_embed", patch_embed(in, out, stride));
  b->add("mhca", conv_attention(out, head_dim));
  b->add("attn_drop_path", leaf("DropPath"));
  b->add("norm", batch_norm(out));
  b->add("mlp", timm::conv_mlp(out, out * 3, out));
  b->add("mlp_drop_path", leaf("DropPath"));
  return b;
}

ModulePtr transformer_block(const timm::Args& a, int64_t in, int64_t out, int64_t stride, int64_t sr, int64_t head_dim,
                            double mix) {
  int64_t sa = timm::make_divisible(static_cast<double>(static_cast<int64_t>(static_cast<double>(out) * mix)), 32);
  int64_t ca = out - sa;
  if (sa < head_dim || ca < head_dim) a.unsupported("mix_block_ratio leaves a branch narrower than head_dim");
  auto at = make("EfficientAttention");
  for (const char* k : {"q", "k", "v", "proj"}) at->add(k, linear(sa, sa));
  at->add("attn_drop", leaf("Dropout"));
  at->add("proj_drop", leaf("Dropout"));
  if (sr > 1) {
    at->add("sr", leaf("AvgPool1d"));
    at->add("norm", batch_norm(sa, "BatchNorm1d"));
  }
  auto b = make("NextTransformerBlock");
  b->add("patch_embed", patch_embed(in, sa, stride));
  b->add("norm1", batch_norm(sa));
  b->add("e_mhsa", at);
  b->add("mhsa_drop_path", leaf("DropPath"));
  b->add("projection", patch_embed(sa, ca, 1));
  b->add("mhca", conv_attention(ca, head_dim));
  b->add("mhca_drop_path", leaf("DropPath"));
  b->add("norm2", batch_norm(out));
  b->add("mlp", timm::conv_mlp(out, out * 2, out));
  b->add("mlp_drop_path", leaf("DropPath"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.layer("norm_layer") != "nn.BatchNorm2d" || a.has("act_layer")) a.unsupported("norm / act layers");
  auto depths = a.ints("depths"), strides = a.ints("strides"), srs = a.ints("sr_ratios"), stem_chs = a.ints("stem_chs");
  if (depths.size() != 4 || strides.size() != 4 || srs.size() != 4 || stem_chs.size() != 3)
    a.unsupported("NextViT builds exactly four stages and a three-width stem");
  for (auto d : depths) timm::checked(d, 1, 1024, "depths");
  if (depths[2] < 5) a.unsupported("a third stage of fewer than 5 blocks (timm fails on it)");
  const int64_t head_dim = timm::checked(a.i("head_dim"), 1, 4096, "head_dim");
  const double mix = a.f("mix_block_ratio");
  for (int64_t w : {96, 192, 384, 768})
    if (w % head_dim) a.unsupported("head_dim does not divide the block widths (timm asserts)");
  // NextViT's own per-stage block widths and types (True: a NextTransformerBlock).
  std::vector<std::vector<std::pair<int64_t, bool>>> plan(4);
  using Block = std::pair<int64_t, bool>;
  for (int64_t i = 0; i < depths[0]; ++i) plan[0].push_back({96, false});
  for (int64_t i = 0; i < depths[1]; ++i) plan[1].push_back(i + 1 < depths[1] ? Block{192, false} : Block{256, true});
  for (int64_t i = 0; i < depths[2] / 5 * 5; ++i) plan[2].push_back(i % 5 == 4 ? Block{512, true} : Block{384, false});
  for (int64_t i = 0; i < depths[3]; ++i) plan[3].push_back(i + 1 < depths[3] ? Block{768, false} : Block{1024, true});
  auto root = make("NextViT");
  auto stem = make("Sequential");
  stem->add("0", cna(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), stem_chs[0]));
  stem->add("1", cna(stem_chs[0], stem_chs[1]));
  stem->add("2", cna(stem_chs[1], stem_chs[2]));
  stem->add("3", cna(stem_chs[2], stem_chs[2]));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t in = stem_chs[2];
  for (size_t s = 0; s < 4; ++s) {
    auto blocks = make("Sequential");
    for (size_t b = 0; b < plan[s].size(); ++b) {
      auto [out, tf] = plan[s][b];
      int64_t stride = b == 0 ? strides[s] : 1;
      blocks->add(std::to_string(b), tf ? transformer_block(a, in, out, stride, srs[s], head_dim, mix)
                                         : conv_block(in, out, stride, head_dim));
      in = out;
    }
    auto st = make("NextStage");
    st->add("blocks", blocks);
    stages->add(std::to_string(s), st);
  }
  root->add("stages", stages);
  root->add("norm", batch_norm(in));
  root->add("head", timm::classifier_head(in, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"NextViT"}, build);

}  // namespace
}  // namespace memfit
