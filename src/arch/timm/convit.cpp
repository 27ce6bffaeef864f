// timm ConVit (timm/models/convit.py) from its registered arguments (embed_dim is per head): PatchEmbed, cls_token,
// pos_embed, Blocks (the first local_up_to_layer with GPSA qk / v / proj / pos_proj / gating_param, the rest MHSA),
// norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attn(int64_t dim, int64_t heads, bool bias, bool gpsa) {
  auto m = make(gpsa ? "GPSA" : "MHSA");
  if (gpsa) {
    m->add("qk", linear(dim, dim * 2, bias));
    m->add("v", linear(dim, dim, bias));
  } else {
    m->add("qkv", linear(dim, dim * 3, bias));
  }
  m->add("attn_drop", leaf("Dropout"));
  m->add("proj", linear(dim, dim));
  if (gpsa) m->add("pos_proj", linear(3, heads));
  m->add("proj_drop", leaf("Dropout"));
  if (gpsa) m->param("gating_param", {heads});
  return m;
}

Model build(const timm::Args& a) {
  if (a.has("hybrid_backbone")) a.unsupported("hybrid_backbone");
  int64_t heads = timm::checked(a.i("num_heads"), 1, 1024, "num_heads");
  int64_t dim = timm::checked(a.i("embed_dim") * heads, 1, 1 << 16, "embed_dim");
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio")), local = a.i("local_up_to_layer");
  std::string norm = a.layer("norm_layer");
  auto root = make("ConVit");
  auto [pe, patches] = timm::patch_embed(a, dim, true);
  root->add("patch_embed", pe);
  root->param("cls_token", {1, 1, dim});
  root->add("pos_drop", leaf("Dropout"));
  if (a.b("use_pos_embed")) root->param("pos_embed", {1, patches, dim});
  root->add("blocks", timm::seq(timm::checked(a.i("depth"), 0, 1024, "depth"), [&](int64_t i) {
              auto b = make("Block");
              b->add("norm1", timm::norm(a, norm, dim));
              b->add("attn", attn(dim, heads, a.b("qkv_bias"), i < local));
              b->add("drop_path", leaf("Identity"));
              b->add("norm2", timm::norm(a, norm, dim));
              b->add("mlp", timm::mlp(dim, hidden, dim));
              return b;
            }, "ModuleList"));
  root->add("norm", timm::norm(a, norm, dim));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"ConVit"}, build);

}  // namespace
}  // namespace memfit
