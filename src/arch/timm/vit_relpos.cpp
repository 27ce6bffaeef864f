// timm VisionTransformerRelPos (timm/models/vision_transformer_relpos.py) from its registered arguments: PatchEmbed,
// optional cls_token, a RelPosMlp (relative position MLP + index / log-coordinate buffers) per attention or shared,
// RelPosBlock (pre-norm, LayerScale) or ResPostRelPosBlock (post-norm), norm / fc_norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr rel_pos_mlp(int64_t heads, int64_t hidden, int64_t gh, int64_t gw) {
  auto r = make("RelPosMlp");
  r->add("bias_act", leaf("Identity"));
  r->add("mlp", timm::mlp(2, hidden, heads));
  r->buffer("relative_position_index", {gh * gw * gh * gw}, DType::I64, false);
  r->buffer("rel_coords_log", {2 * gh - 1, 2 * gw - 1, 2}, DType::F32, false);
  return r;
}

ModulePtr layer_scale(int64_t dim) {
  auto ls = make("LayerScale");
  ls->param("gamma", {dim});
  return ls;
}

Model build(const timm::Args& a) {
  if (a.s("rel_pos_type") != "mlp") a.unsupported("rel_pos_type " + a.s("rel_pos_type"));
  if (a.has("norm_layer")) a.unsupported("norm_layer " + a.layer("norm_layer"));
  if (a.layer("embed_layer") != "PatchEmbed") a.unsupported("embed_layer " + a.layer("embed_layer"));
  std::string block_fn = a.layer("block_fn");
  if (block_fn != "RelPosBlock" && block_fn != "ResPostRelPosBlock") a.unsupported("block_fn " + block_fn);
  int64_t dim = timm::checked(a.i("embed_dim"), 1, 1 << 16, "embed_dim");
  int64_t heads = timm::checked(a.i("num_heads"), 1, dim, "num_heads");
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio"));
  int64_t rp_hidden = a.has("rel_pos_dim") && a.i("rel_pos_dim") ? a.i("rel_pos_dim") : 128;
  bool shared = a.b("shared_rel_pos"), fc_norm = a.b("fc_norm"), ls = a.b("init_values"), qk_norm = a.b("qk_norm");
  auto img = a.ints("img_size"), patch = a.ints("patch_size");
  int64_t gh = img.front() / patch.front(), gw = img.back() / patch.back();

  auto attention = [&] {
    auto m = make("RelPosAttention");
    m->add("qkv", linear(dim, dim * 3, a.b("qkv_bias")));
    m->add("q_norm", qk_norm ? layer_norm(dim / heads) : leaf("Identity"));
    m->add("k_norm", qk_norm ? layer_norm(dim / heads) : leaf("Identity"));
    if (!shared) m->add("rel_pos", rel_pos_mlp(heads, rp_hidden, gh, gw));
    m->add("attn_drop", leaf("Dropout"));
    m->add("proj", linear(dim, dim));
    m->add("proj_drop", leaf("Dropout"));
    return m;
  };
  auto block = [&](int64_t) {
    auto b = make(block_fn);
    if (block_fn == "RelPosBlock") {
      b->add("norm1", layer_norm(dim));
      b->add("attn", attention());
      b->add("ls1", ls ? layer_scale(dim) : leaf("Identity"));
      b->add("drop_path1", leaf("Identity"));
      b->add("norm2", layer_norm(dim));
      b->add("mlp", timm::mlp(dim, hidden, dim));
      b->add("ls2", ls ? layer_scale(dim) : leaf("Identity"));
      b->add("drop_path2", leaf("Identity"));
    } else {
      b->add("attn", attention());
      b->add("norm1", layer_norm(dim));
      b->add("drop_path1", leaf("Identity"));
      b->add("mlp", timm::mlp(dim, hidden, dim));
      b->add("norm2", layer_norm(dim));
      b->add("drop_path2", leaf("Identity"));
    }
    return b;
  };

  auto root = make("VisionTransformerRelPos");
  auto [pe, patches] = timm::patch_embed(a, dim, true);
  (void)patches;
  root->add("patch_embed", pe);
  if (shared) root->add("shared_rel_pos", rel_pos_mlp(heads, rp_hidden, gh, gw));
  if (a.b("class_token")) root->param("cls_token", {1, 1, dim});
  root->add("blocks", timm::seq(timm::checked(a.i("depth"), 0, 1024, "depth"), block, "ModuleList"));
  root->add("norm", fc_norm ? leaf("Identity") : layer_norm(dim));
  root->add("fc_norm", fc_norm ? layer_norm(dim) : leaf("Identity"));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"VisionTransformerRelPos"}, build);

}  // namespace
}  // namespace memfit
