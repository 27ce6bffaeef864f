// timm TNT (timm/models/tnt.py) from its registered arguments: PixelEmbed (7x7 conv, unfold), the pixel-to-patch
// projection norm1_proj / proj / norm2_proj, cls_token, patch_pos, pixel_pos, Blocks (inner attn_in / mlp_in over
// pixels, norm1_proj / proj (/ norm2_proj unless legacy), outer attn_out / mlp over patches), norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(int64_t dim, int64_t hidden, bool bias) {
  auto m = make("Attention");
  m->add("qk", linear(dim, hidden * 2, bias));
  m->add("v", linear(dim, dim, bias));
  m->add("attn_drop", leaf("Dropout"));
  m->add("proj", linear(dim, dim));
  m->add("proj_drop", leaf("Dropout"));
  return m;
}

ModulePtr block(const timm::Args& a, int64_t in, int64_t out, int64_t pixels) {
  std::string norm = a.layer("norm_layer");
  bool bias = a.b("qkv_bias"), legacy = a.b("legacy");
  auto b = make("Block");
  b->add("norm_in", timm::norm(a, norm, in));
  b->add("attn_in", attention(in, in, bias));
  b->add("norm_mlp_in", timm::norm(a, norm, in));
  b->add("mlp_in", timm::mlp(in, in * 4, in));
  b->add("norm1_proj", timm::norm(a, norm, legacy ? in : in * pixels));
  b->add("proj", linear(in * pixels, out, legacy));
  if (!legacy) b->add("norm2_proj", timm::norm(a, norm, out));
  b->add("norm_out", timm::norm(a, norm, out));
  b->add("attn_out", attention(out, out, bias));
  b->add("drop_path", leaf("Identity"));
  b->add("norm_mlp", timm::norm(a, norm, out));
  b->add("mlp", timm::mlp(out, static_cast<int64_t>(static_cast<double>(out) * a.f("mlp_ratio")), out));
  return b;
}

Model build(const timm::Args& a) {
  auto img = a.ints("img_size"), patch = a.ints("patch_size");
  if (img.size() == 1) img.push_back(img[0]);
  if (patch.size() == 1) patch.push_back(patch[0]);
  if (img.size() != 2 || patch.size() != 2) a.unsupported("img_size / patch_size");
  int64_t stride = timm::checked(a.i("first_stride"), 1, 64, "first_stride");
  int64_t dim = timm::checked(a.i("embed_dim"), 1, 1 << 14, "embed_dim"), inner = timm::checked(a.i("inner_dim"), 1, 1 << 12, "inner_dim");
  int64_t ph = (timm::checked(patch[0], 1, img[0], "patch_size") + stride - 1) / stride, pw = (timm::checked(patch[1], 1, img[1], "patch_size") + stride - 1) / stride;
  int64_t patches = (img[0] / patch[0]) * (img[1] / patch[1]), pixels = ph * pw;
  std::string norm = a.layer("norm_layer");
  auto root = make("TNT");
  auto pe = make("PixelEmbed");
  pe->add("proj", conv2d(a.i("in_chans"), inner, 7));
  pe->add("unfold", leaf("Unfold"));
  root->add("pixel_embed", pe);
  root->add("norm1_proj", timm::norm(a, norm, pixels * inner));
  root->add("proj", linear(pixels * inner, dim));
  root->add("norm2_proj", timm::norm(a, norm, dim));
  root->param("cls_token", {1, 1, dim});
  root->param("patch_pos", {1, patches + 1, dim});
  root->param("pixel_pos", {1, inner, ph, pw});
  root->add("pos_drop", leaf("Dropout"));
  root->add("blocks", timm::seq(timm::checked(a.i("depth"), 0, 1024, "depth"), [&](int64_t) { return block(a, inner, dim, pixels); }, "ModuleList"));
  root->add("norm", timm::norm(a, norm, dim));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"TNT"}, build);

}  // namespace
}  // namespace memfit
