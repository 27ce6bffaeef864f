// timm Hiera (timm/models/hiera.py) from its registered arguments: PatchEmbed, pos_embed (or the abs-win pair
// pos_embed + pos_embed_win), Unroll / Reroll, HieraBlocks (norm1, expand proj at stage starts, MaskUnitAttention
// qkv/proj, optional LayerScales, norm2, Mlp) multiplying dim and heads per stage, ClNormMlpClassifierHead.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr hiera_block(int64_t dim, int64_t dim_out, int64_t hidden, bool expand_proj, bool ls) {
  auto b = make("HieraBlock");
  b->add("norm1", layer_norm(dim));
  if (dim != dim_out && expand_proj) b->add("proj", linear(dim, dim_out));
  auto a = make("MaskUnitAttention");
  a->add("qkv", linear(dim, 3 * dim_out));
  a->add("proj", linear(dim_out, dim_out));
  b->add("attn", a);
  b->add("ls1", timm::layer_scale(dim_out, ls));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim_out));
  b->add("mlp", timm::mlp(dim_out, hidden, dim_out));
  b->add("ls2", timm::layer_scale(dim_out, ls));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.b("sep_pos_embed")) a.unsupported("sep_pos_embed (video)");
  if (a.s("norm_layer") != "LayerNorm" && a.layer("norm_layer") != "nn.LayerNorm")
    a.unsupported("norm_layer " + a.layer("norm_layer"));
  auto img = a.ints("img_size"), stride = a.ints("patch_stride"), kernel = a.ints("patch_kernel");
  if (img.size() == 1) img.push_back(img[0]);
  if (img.size() != 2 || stride.size() != 2 || kernel.size() != 2) a.unsupported("a patch embedding that is not 2-d");
  if (stride[0] < 1 || stride[1] < 1) a.unsupported("patch_stride below 1");
  auto stages = a.ints("stages");
  int64_t dim = timm::checked(a.i("embed_dim"), 1, 1 << 16, "embed_dim");
  const int64_t in = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  const double dim_mul = a.f("dim_mul"), mlp_ratio = a.f("mlp_ratio");
  const bool ls = a.has("init_values"), expand = a.b("use_expand_proj");
  auto root = make("Hiera");
  auto pe = make("PatchEmbed");
  pe->add("proj", conv2d(in, dim, kernel[0], kernel[1]));
  root->add("patch_embed", pe);
  if (a.b("abs_win_pos_embed")) {
    auto g = a.ints("global_pos_size"), mu = a.ints("mask_unit_size");
    root->param("pos_embed", {1, dim, g.at(0), g.at(1)});
    root->param("pos_embed_win", {1, dim, mu.at(0), mu.at(1)});
  } else {
    root->param("pos_embed", {1, (img[0] / stride[0]) * (img[1] / stride[1]), dim});
  }
  root->add("unroll", leaf("Unroll"));
  root->add("reroll", leaf("Reroll"));
  auto blocks = make("ModuleList");
  int64_t i = 0;
  for (size_t s = 0; s < stages.size(); ++s)
    for (int64_t k = 0; k < timm::checked(stages[s], 0, 1024, "stages"); ++k) {
      int64_t out = (s > 0 && k == 0) ? static_cast<int64_t>(static_cast<double>(dim) * dim_mul) : dim;
      int64_t hidden = static_cast<int64_t>(static_cast<double>(out) * mlp_ratio);
      blocks->add(std::to_string(i++), hiera_block(dim, out, hidden, expand, ls));
      dim = out;
    }
  root->add("blocks", blocks);
  root->add("head", timm::cl_norm_mlp_head(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Hiera"}, build);

}  // namespace
}  // namespace memfit
