// timm VisionTransformerSAM (timm/models/vision_transformer_sam.py) from its registered arguments: PatchEmbed,
// pos_embed over the patch grid, Blocks (windowed or global Attention with rel_pos_h / rel_pos_w over the window or
// the grid), the conv + LayerNorm2d neck, ClassifierHead (or NormMlpClassifierHead with head_hidden_size).
#include <algorithm>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr layer_scale(int64_t dim, bool on) {
  if (!on) return leaf("Identity");
  auto ls = make("LayerScale");
  ls->param("gamma", {dim});
  return ls;
}

Model build(const timm::Args& a) {
  if (a.b("use_rope")) a.unsupported("use_rope");
  for (const char* k : {"block_fn", "mlp_layer"}) {
    static const Json defaults = timm::class_defaults("VisionTransformerSAM");
    if (a.raw(k) != defaults[k]) a.unsupported(std::string(k) + " " + a.layer(k));
  }
  int64_t dim = timm::checked(a.i("embed_dim"), 1, 1 << 14, "embed_dim"), heads = timm::checked(a.i("num_heads"), 1, dim, "num_heads");
  int64_t hd = dim / heads, hidden = static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio"));
  auto img = a.ints("img_size"), patch = a.ints("patch_size");
  if (img.size() == 1) img.push_back(img[0]);
  if (patch.size() == 1) patch.push_back(patch[0]);
  if (img.size() != 2 || patch.size() != 2) a.unsupported("img_size / patch_size");
  int64_t gh = img[0] / timm::checked(patch[0], 1, img[0], "patch_size"), gw = img[1] / timm::checked(patch[1], 1, img[1], "patch_size");
  bool pre_norm = a.b("pre_norm"), rel = a.b("use_rel_pos"), qkn = a.b("qk_norm"), ls = a.b("init_values");
  int64_t window = a.i("window_size");
  std::vector<int64_t> global = a.has("global_attn_indexes") ? a.ints("global_attn_indexes") : std::vector<int64_t>{};
  std::string norm = a.has("norm_layer") ? a.layer("norm_layer") : "LayerNorm";
  auto root = make("VisionTransformerSAM");
  auto pe = make("PatchEmbed");
  pe->add("proj", conv2d(a.i("in_chans"), dim, patch[0], patch[1], !pre_norm));
  pe->add("norm", leaf("Identity"));
  root->add("patch_embed", pe);
  if (a.b("use_abs_pos")) root->param("pos_embed", {1, gh, gw, dim});
  root->add("pos_drop", leaf("Dropout"));
  root->add("patch_drop", leaf("Identity"));
  root->add("norm_pre", pre_norm ? timm::norm(a, norm, dim) : leaf("Identity"));
  root->add("blocks", timm::seq(timm::checked(a.i("depth"), 0, 1024, "depth"), [&](int64_t i) {
              bool is_global = std::find(global.begin(), global.end(), i) != global.end() || window == 0;
              int64_t ih = is_global ? gh : window, iw = is_global ? gw : window;
              auto at = make("Attention");
              at->add("qkv", linear(dim, dim * 3, a.b("qkv_bias")));
              at->add("q_norm", qkn ? timm::norm(a, norm, hd) : leaf("Identity"));
              at->add("k_norm", qkn ? timm::norm(a, norm, hd) : leaf("Identity"));
              at->add("attn_drop", leaf("Dropout"));
              at->add("proj", linear(dim, dim));
              at->add("proj_drop", leaf("Dropout"));
              if (rel) {
                at->param("rel_pos_h", {2 * ih - 1, hd});
                at->param("rel_pos_w", {2 * iw - 1, hd});
              }
              auto b = make("Block");
              b->add("norm1", timm::norm(a, norm, dim));
              b->add("attn", at);
              b->add("ls1", layer_scale(dim, ls));
              b->add("drop_path1", leaf("Identity"));
              b->add("norm2", timm::norm(a, norm, dim));
              b->add("mlp", timm::mlp(dim, hidden, dim));
              b->add("ls2", layer_scale(dim, ls));
              b->add("drop_path2", leaf("Identity"));
              return b;
            }));
  int64_t neck = a.has("neck_chans") ? a.i("neck_chans") : 0, head_hidden = a.has("head_hidden_size") ? a.i("head_hidden_size") : 0;
  if (neck) {
    auto s = make("Sequential");
    s->add("0", conv2d(dim, neck, 1, false));
    s->add("1", layer_norm(neck, true, "LayerNorm2d"));
    s->add("2", conv2d(neck, neck, 3, false));
    s->add("3", layer_norm(neck, true, "LayerNorm2d"));
    root->add("neck", s);
  } else {
    root->add("neck", head_hidden ? leaf("Identity") : layer_norm(dim, true, "LayerNorm2d"));
    neck = dim;
  }
  int64_t classes = a.i("num_classes");
  root->add("head", head_hidden ? timm::norm_mlp_head(neck, classes, "LayerNorm2d", head_hidden) : timm::classifier_head(neck, classes));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"VisionTransformerSAM"}, build);

}  // namespace
}  // namespace memfit
