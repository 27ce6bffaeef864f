// timm HieraDet (timm/models/hieradet_sam2.py, SAM2's image encoder trunk) from its registered arguments:
// HieraPatchEmbed conv, pos_embed + pos_embed_window, MultiScaleBlocks (expand proj and q max-pool at stage starts,
// norm1, MultiScaleAttention qkv/proj, LayerScales, norm2, Mlp), ClNormMlpClassifierHead.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr ms_block(int64_t dim, int64_t dim_out, bool pool, bool ls) {
  auto b = make("MultiScaleBlock");
  b->add("proj", dim != dim_out ? linear(dim, dim_out) : leaf("Identity"));
  if (pool) b->add("pool", leaf("MaxPool2d"));
  b->add("norm1", layer_norm(dim));
  auto a = make("MultiScaleAttention");
  if (pool) a->add("q_pool", leaf("MaxPool2d"));
  a->add("qkv", linear(dim, dim_out * 3));
  a->add("proj", linear(dim_out, dim_out));
  b->add("attn", a);
  b->add("ls1", timm::layer_scale(dim_out, ls));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim_out));
  b->add("mlp", timm::mlp(dim_out, dim_out * 4, dim_out));
  b->add("ls2", timm::layer_scale(dim_out, ls));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.has("patch_size")) a.unsupported("patch_size (a PatchEmbed stem)");
  if (a.layer("norm_layer") != "LayerNorm" && a.layer("norm_layer") != "nn.LayerNorm")
    a.unsupported("norm_layer " + a.layer("norm_layer"));
  auto stages = a.ints("stages"), windows = a.ints("window_spec"), kernel = a.ints("patch_kernel"),
       gpos = a.ints("global_pos_size");
  if (stages.empty() || windows.size() != stages.size()) a.unsupported("stages / window_spec lengths differ");
  if (kernel.size() == 1) kernel.push_back(kernel[0]);
  if (gpos.size() == 1) gpos.push_back(gpos[0]);
  int64_t dim = timm::checked(a.i("embed_dim"), 1, 1 << 16, "embed_dim");
  const int64_t q_pool = a.i("q_pool");
  if (q_pool < 0 || q_pool > static_cast<int64_t>(stages.size()) - 1) a.unsupported("q_pool out of range");
  const double dim_mul = a.f("dim_mul");
  const bool ls = a.has("init_values");
  auto root = make("HieraDet");
  auto pe = make("HieraPatchEmbed");
  pe->add("proj", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dim, kernel.at(0), kernel.at(1)));
  root->add("patch_embed", pe);
  root->param("pos_embed", {1, dim, gpos.at(0), gpos.at(1)});
  root->param("pos_embed_window", {1, dim, windows[0], windows[0]});
  auto blocks = make("Sequential");
  int64_t i = 0;
  for (size_t s = 0; s < stages.size(); ++s)
    for (int64_t k = 0; k < timm::checked(stages[s], 0, 1024, "stages"); ++k) {
      bool start = s > 0 && k == 0;
      int64_t out = start ? static_cast<int64_t>(static_cast<double>(dim) * dim_mul) : dim;
      blocks->add(std::to_string(i++), ms_block(dim, out, start && static_cast<int64_t>(s) <= q_pool, ls));
      dim = out;
    }
  root->add("blocks", blocks);
  root->add("head", timm::cl_norm_mlp_head(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"HieraDet"}, build);

}  // namespace
}  // namespace memfit
