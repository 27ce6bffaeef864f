// timm Visformer (timm/models/visformer.py) from its registered arguments: conv stem (or a ViT stem), three stages
// of PatchEmbed + pos_embed + Blocks (1x1-conv Attention qkv / proj, SpatialMlp conv1 / conv2 grouped / conv3), norm,
// global_pool, head.
#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// norm_layer / embed_norm: BatchNorm2d or a timm norm.
ModulePtr norm2d(const timm::Args& a, std::string_view layer, int64_t dim) {
  if (layer == "nn.BatchNorm2d" || layer == "BatchNorm2d") return batch_norm(dim);
  return timm::norm(a, layer, dim);
}

ModulePtr block(const timm::Args& a, int64_t dim, double head_ratio, bool attn, bool spatial) {
  std::string norm = a.layer("norm_layer");
  int64_t heads = a.i("num_heads"), group = timm::checked(a.i("group"), 1, dim, "group");
  auto b = make("Block");
  b->add("drop_path", leaf("Identity"));
  if (attn) {
    auto hd = static_cast<int64_t>(std::nearbyint(static_cast<double>(dim / heads) * head_ratio));
    auto at = make("Attention");
    at->add("qkv", conv2d(dim, hd * heads * 3, 1, false));
    at->add("attn_drop", leaf("Dropout"));
    at->add("proj", conv2d(hd * heads, dim, 1, false));
    at->add("proj_drop", leaf("Dropout"));
    b->add("norm1", norm2d(a, norm, dim));
    b->add("attn", at);
  }
  b->add("norm2", norm2d(a, norm, dim));
  int64_t hidden = spatial ? (group < 2 ? dim * 5 / 6 : dim * 2) : static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio"));
  auto m = make("SpatialMlp");
  m->add("conv1", conv2d(dim, hidden, 1, false));
  m->add("act1", leaf("GELU"));
  m->add("drop1", leaf("Dropout"));
  if (spatial) {
    m->add("conv2", conv2d(hidden, hidden, 3, false, group));
    m->add("act2", leaf("GELU"));
  }
  m->add("conv3", conv2d(hidden, dim, 1, false));
  m->add("drop3", leaf("Dropout"));
  b->add("mlp", m);
  return b;
}

Model build(const timm::Args& a) {
  if (a.b("vit_stem") || !a.has("init_channels")) a.unsupported("vit_stem / init_channels None");
  int64_t dim = timm::checked(a.i("embed_dim"), 8, 1 << 14, "embed_dim"), patch = a.i("patch_size");
  timm::checked(a.i("num_heads"), 1, dim / 2, "num_heads");
  if (patch < 8 || patch % 8 != 0) a.unsupported("patch_size " + std::to_string(patch));
  std::vector<int64_t> depth;
  if (a.raw("depth").is_array()) depth = a.ints("depth");
  else {
    int64_t d = a.i("depth");
    depth = {d / 3, d - 2 * (d / 3), d / 3};
  }
  std::string attn_stage = a.s("attn_stage"), spatial = a.s("spatial_conv");
  if (depth.size() != 3 || attn_stage.size() < 3 || spatial.size() < 3) a.unsupported("depth / attn_stage / spatial_conv");
  auto img = a.ints("img_size");
  if (img.size() == 1) img.push_back(img[0]);
  std::string embed_norm = a.has("embed_norm") ? a.layer("embed_norm") : "";
  auto embed = [&](int64_t in, int64_t out, int64_t p) {
    auto pe = make("PatchEmbed");
    pe->add("proj", conv2d(in, out, p));
    pe->add("norm", embed_norm.empty() ? leaf("Identity") : norm2d(a, embed_norm, out));
    return pe;
  };
  bool pos = a.b("use_pos_embed");
  int64_t init = timm::checked(a.i("init_channels"), 1, 1 << 12, "init_channels");
  auto root = make("Visformer");
  auto stem = make("Sequential");
  stem->add("0", conv2d(a.i("in_chans"), init, 7, false));
  stem->add("1", batch_norm(init));
  stem->add("2", leaf("ReLU"));
  root->add("stem", stem);
  int64_t h = img.at(0) / 2 / (patch / 4), w = img.at(1) / 2 / (patch / 4);
  root->add("patch_embed1", embed(init, dim / 2, patch / 4));
  if (pos) root->param("pos_embed1", {1, dim / 2, h, w});
  if (pos) root->add("pos_drop", leaf("Dropout"));
  const int64_t dims[] = {dim / 2, dim, dim * 2};
  for (int s = 0; s < 3; ++s) {
    if (s > 0) {
      h /= patch / 8, w /= patch / 8;
      root->add("patch_embed" + std::to_string(s + 1), embed(dims[s - 1], dims[s], patch / 8));
      if (pos) root->param("pos_embed" + std::to_string(s + 1), {1, dims[s], h, w});
    }
    root->add("stage" + std::to_string(s + 1), timm::seq(timm::checked(depth[s], 0, 1024, "depth"), [&](int64_t) {
                return block(a, dims[s], s == 0 ? 0.5 : 1.0, attn_stage[s] != '0', spatial[s] == '1');
              }));
  }
  root->add("norm", norm2d(a, a.layer("norm_layer"), dims[2]));
  root->add("global_pool", timm::select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dims[2], a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Visformer"}, build);

}  // namespace
}  // namespace memfit
