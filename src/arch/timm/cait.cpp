// timm Cait (timm/models/cait.py) from its registered arguments: PatchEmbed, cls_token, pos_embed (patches only),
// LayerScaleBlocks (TalkingHeadAttn with proj_l / proj_w head mixing, Mlp, gamma_1 / gamma_2), then the class-attention
// LayerScaleBlockClassAttn blocks (ClassAttn q / k / v), norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr layer_scale_block(ModulePtr attn, int64_t dim, int64_t hidden, std::string cls) {
  auto b = make(std::move(cls));
  b->add("norm1", layer_norm(dim));
  b->add("attn", attn);
  b->add("drop_path", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", timm::mlp(dim, hidden, dim));
  b->param("gamma_1", {dim});
  b->param("gamma_2", {dim});
  return b;
}

ModulePtr talking_head_attn(int64_t dim, int64_t heads, bool bias) {
  auto a = make("TalkingHeadAttn");
  a->add("qkv", linear(dim, dim * 3, bias));
  a->add("attn_drop", leaf("Dropout"));
  a->add("proj", linear(dim, dim));
  a->add("proj_l", linear(heads, heads));
  a->add("proj_w", linear(heads, heads));
  a->add("proj_drop", leaf("Dropout"));
  return a;
}

Model build(const timm::Args& a) {
  for (const char* k : {"block_layers", "block_layers_token", "patch_layer", "attn_block", "mlp_block",
                        "attn_block_token_only", "mlp_block_token_only"}) {
    static const Json defaults = timm::class_defaults("Cait");
    if (a.raw(k) != defaults[k]) a.unsupported(std::string(k) + " " + a.layer(k));
  }
  int64_t dim = timm::checked(a.i("embed_dim"), 1, 1 << 16, "embed_dim");
  int64_t heads = timm::checked(a.i("num_heads"), 1, dim, "num_heads");
  bool bias = a.b("qkv_bias");
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio"));
  int64_t hidden_tok = static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio_token_only"));
  auto root = make("Cait");
  auto [pe, patches] = timm::patch_embed(a, dim, true);
  root->add("patch_embed", pe);
  root->param("cls_token", {1, 1, dim});
  root->param("pos_embed", {1, patches, dim});
  root->add("pos_drop", leaf("Dropout"));
  root->add("blocks", timm::seq(timm::checked(a.i("depth"), 0, 1024, "depth"), [&](int64_t) {
              return layer_scale_block(talking_head_attn(dim, heads, bias), dim, hidden, "LayerScaleBlock");
            }));
  root->add("blocks_token_only", timm::seq(timm::checked(a.i("depth_token_only"), 0, 64, "depth_token_only"), [&](int64_t) {
              return layer_scale_block(timm::class_attn(dim, bias), dim, hidden_tok, "LayerScaleBlockClassAttn");
            }, "ModuleList"));
  root->add("norm", layer_norm(dim));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Cait"}, build);

}  // namespace
}  // namespace memfit
