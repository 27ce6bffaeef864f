// timm MobileViT blocks (timm/models/mobilevit.py), registered as ByobNet block types 'mobilevit' (MobileVitBlock:
// conv_kxk, conv_1x1, ViT Blocks, LayerNorm, conv_proj, conv_fusion) and 'mobilevit2' (MobileVitV2Block: GroupNorm1
// LinearTransformerBlocks with LinearSelfAttention and ConvMlp). The networks are ByobNets (byobnet.cpp).
#include "arch/timm/byobnet.h"
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit::timm::byob {
namespace MEMFIT_TU {
using namespace blocks;

// The arguments both blocks read: kernel size, transformer width, depth and MLP width.
struct Dims {
  int64_t k, dim, depth, hidden;
};
Dims dims(const Layers& l, const Block& b) {
  for (const char* k : {"transformer_norm_layer", "no_fusion"})
    if (b.kwargs.contains(k)) l.a->unsupported(std::string("mobilevit block argument `") + k + "`");
  const double td = b.num("transformer_dim", 0);
  const int64_t dim = td ? static_cast<int64_t>(td) : make_divisible(b.bottle_ratio * b.in);
  return {static_cast<int64_t>(b.num("kernel_size", 3)), dim,
          checked_count(static_cast<int64_t>(b.num("transformer_depth", 2)), "transformer_depth"),
          static_cast<int64_t>(dim * b.num("mlp_ratio", 2.0))};
}

ModulePtr mobilevit(const Layers& l, const Block& b) {
  const auto [k, dim, depth, hidden] = dims(l, b);
  auto m = make("MobileVitBlock");
  m->add("conv_kxk", l.conv_norm_act(b.in, b.in, k, b.stride, num_groups(*l.a, b.group_size, b.in)));
  m->add("conv_1x1", conv2d(b.in, dim, 1, false));
  m->add("transformer", repeat(vit_block(dim, 4, hidden, true), depth, "Sequential"));
  m->add("norm", layer_norm(dim));
  m->add("conv_proj", l.conv_norm_act(dim, b.out, 1));
  m->add("conv_fusion", l.conv_norm_act(b.in + b.out, b.out, k));
  return m;
}

// LinearTransformerBlock(dim, mlp_ratio, norm_layer=GroupNorm1).
ModulePtr linear_block(int64_t dim, int64_t hidden) {
  auto attn = make("LinearSelfAttention");
  attn->add("qkv_proj", conv2d(dim, 1 + 2 * dim, 1));
  attn->add("attn_drop", leaf("Dropout"));
  attn->add("out_proj", conv2d(dim, dim, 1));
  attn->add("out_drop", leaf("Dropout"));
  auto t = make("LinearTransformerBlock");
  t->add("norm1", layer_norm(dim, true, "GroupNorm1"));
  t->add("attn", attn);
  t->add("drop_path1", leaf("Identity"));
  t->add("norm2", layer_norm(dim, true, "GroupNorm1"));
  t->add("mlp", conv_mlp(dim, hidden, dim));
  t->add("drop_path2", leaf("Identity"));
  return t;
}

ModulePtr mobilevit2(const Layers& l, const Block& b) {
  const auto [k, dim, depth, hidden] = dims(l, b);
  auto m = make("MobileVitV2Block");
  m->add("conv_kxk", l.conv_norm_act(b.in, b.in, k, 1, num_groups(*l.a, b.group_size, b.in)));
  m->add("conv_1x1", conv2d(b.in, dim, 1, false));
  m->add("transformer", repeat(linear_block(dim, hidden), depth, "Sequential"));
  m->add("norm", layer_norm(dim, true, "GroupNorm1"));
  m->add("conv_proj", l.conv_norm_act(dim, b.out, 1, 1, 1, false));
  return m;
}

const bool kRegistered = register_block("mobilevit", mobilevit) && register_block("mobilevit2", mobilevit2);

}  // namespace
}  // namespace memfit::timm::byob
