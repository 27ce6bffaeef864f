// timm Xcit (timm/models/xcit.py) from its registered arguments: ConvPatchEmbed (stride-2 conv3x3 + BatchNorm stack),
// cls_token, PositionalEncodingFourier, XCABlocks (XCA with per-head temperature, LPI depthwise convs, Mlp, three
// layer-scale gammas), ClassAttentionBlocks (q/k/v class attention, Mlp, two gammas), norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr conv_bn(int64_t in, int64_t out) {
  auto s = make("Sequential");
  s->add("0", conv2d(in, out, 3, false));
  s->add("1", batch_norm(out));
  return s;
}

ModulePtr patch_embed(int64_t in, int64_t dim, int64_t patch, const timm::Args& a) {
  std::vector<int64_t> chs;
  if (patch == 16) chs = {dim / 8, dim / 4, dim / 2, dim};
  else if (patch == 8) chs = {dim / 4, dim / 2, dim};
  else a.unsupported("patch_size other than 8 or 16");
  auto proj = make("Sequential");
  int i = 0;
  for (size_t k = 0; k < chs.size(); ++k) {
    if (k) proj->add(std::to_string(i++), leaf("GELU"));
    proj->add(std::to_string(i++), conv_bn(k ? chs[k - 1] : in, chs[k]));
  }
  auto p = make("ConvPatchEmbed");
  p->add("proj", proj);
  return p;
}

void gammas(ModulePtr& b, int64_t dim, std::initializer_list<const char*> names) {
  for (const char* n : names) b->param(n, {dim});
}

ModulePtr xca_block(int64_t dim, int64_t heads, int64_t hidden, bool qkv_bias, bool eta) {
  auto attn = make("XCA");
  attn->param("temperature", {heads, 1, 1});
  attn->add("qkv", linear(dim, dim * 3, qkv_bias));
  attn->add("attn_drop", leaf("Dropout"));
  attn->add("proj", linear(dim, dim));
  attn->add("proj_drop", leaf("Dropout"));
  auto lpi = make("LPI");
  lpi->add("conv1", conv2d(dim, dim, 3, true, dim));
  lpi->add("act", leaf("GELU"));
  lpi->add("bn", batch_norm(dim));
  lpi->add("conv2", conv2d(dim, dim, 3, true, dim));
  auto b = make("XCABlock");
  b->add("norm1", layer_norm(dim));
  b->add("attn", attn);
  b->add("drop_path1", leaf("Identity"));
  b->add("norm3", layer_norm(dim));
  b->add("local_mp", lpi);
  b->add("drop_path3", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", timm::mlp(dim, hidden, dim));
  b->add("drop_path2", leaf("Identity"));
  if (eta) gammas(b, dim, {"gamma1", "gamma3", "gamma2"});
  return b;
}

ModulePtr class_attention_block(int64_t dim, int64_t hidden, bool qkv_bias, bool eta) {
  auto attn = timm::class_attn(dim, qkv_bias);
  auto b = make("ClassAttentionBlock");
  b->add("norm1", layer_norm(dim));
  b->add("attn", attn);
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", timm::mlp(dim, hidden, dim));
  b->add("drop_path2", leaf("Identity"));
  if (eta) gammas(b, dim, {"gamma1", "gamma2"});
  return b;
}

Model build(const timm::Args& a) {
  if (a.has("norm_layer")) a.unsupported("norm_layer " + a.layer("norm_layer"));
  int64_t dim = timm::checked(a.i("embed_dim"), 8, 1 << 16, "embed_dim");
  int64_t heads = timm::checked(a.i("num_heads"), 1, dim, "num_heads");
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio"));
  bool qkv_bias = a.b("qkv_bias"), eta = a.has("eta");
  auto root = make("Xcit");
  root->add("patch_embed", patch_embed(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dim, a.i("patch_size"), a));
  root->param("cls_token", {1, 1, dim});
  if (a.b("use_pos_embed")) {
    auto pe = make("PositionalEncodingFourier");
    pe->add("token_projection", conv2d(64, dim, 1));
    root->add("pos_embed", pe);
  }
  root->add("pos_drop", leaf("Dropout"));
  root->add("blocks", timm::seq(timm::checked(a.i("depth"), 0, 1024, "depth"),
                                [&](int64_t) { return xca_block(dim, heads, hidden, qkv_bias, eta); }, "ModuleList"));
  root->add("cls_attn_blocks", timm::seq(timm::checked(a.i("cls_attn_layers"), 0, 64, "cls_attn_layers"),
                                         [&](int64_t) { return class_attention_block(dim, hidden, qkv_bias, eta); },
                                         "ModuleList"));
  root->add("norm", layer_norm(dim));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Xcit"}, build);

}  // namespace
}  // namespace memfit
