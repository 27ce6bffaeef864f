// timm CrossVit (timm/models/crossvit.py) from its registered arguments: per branch a PatchEmbed (one conv, or the
// three-conv "dagger" stem), pos_embed_i / cls_token_i; MultiScaleBlocks (per-branch ViT Blocks, projs, fusion
// CrossAttentionBlocks wq / wk / wv / proj, revert_projs); per-branch norm and head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr cross_block(const timm::Args& a, int64_t dim) {
  bool bias = a.b("qkv_bias");
  auto at = make("CrossAttention");
  at->add("wq", linear(dim, dim, bias));
  at->add("wk", linear(dim, dim, bias));
  at->add("wv", linear(dim, dim, bias));
  at->add("attn_drop", leaf("Dropout"));
  at->add("proj", linear(dim, dim));
  at->add("proj_drop", leaf("Dropout"));
  auto b = make("CrossAttentionBlock");
  b->add("norm1", timm::norm(a, a.layer("norm_layer"), dim));
  b->add("attn", at);
  b->add("drop_path", leaf("Identity"));
  return b;
}

ModulePtr proj(const timm::Args& a, int64_t in, int64_t out) {
  auto s = make("Sequential");
  s->add("0", timm::norm(a, a.layer("norm_layer"), in));
  s->add("1", leaf("GELU"));
  s->add("2", linear(in, out));
  return s;
}

ModulePtr multi_scale_block(const timm::Args& a, const std::vector<int64_t>& dims, const std::vector<int64_t>& heads,
                            const std::vector<double>& ratio, const std::vector<int64_t>& depth) {
  size_t n = dims.size();
  auto m = make("MultiScaleBlock");
  auto blocks = make("ModuleList");
  for (size_t d = 0; d < n; ++d)
    if (depth[d] > 0)
      blocks->add(std::to_string(blocks->children.size()),
                  timm::seq(timm::checked(depth[d], 0, 256, "depth"), [&](int64_t) { return timm::vit_block(dims[d], heads[d], static_cast<int64_t>(static_cast<double>(dims[d]) * ratio[d]), a.b("qkv_bias")); }));
  if (!blocks->children.empty()) m->add("blocks", blocks);
  m->add("projs", timm::seq(static_cast<int64_t>(n), [&](int64_t d) { return proj(a, dims[d], dims[(d + 1) % n]); }, "ModuleList"));
  int64_t fuse = timm::checked(depth.back(), 0, 256, "depth");
  m->add("fusion", timm::seq(static_cast<int64_t>(n), [&](int64_t d) {
           int64_t dim = dims[(d + 1) % n];
           return fuse == 0 ? cross_block(a, dim) : timm::seq(fuse, [&](int64_t) { return cross_block(a, dim); });
         }, "ModuleList"));
  m->add("revert_projs", timm::seq(static_cast<int64_t>(n), [&](int64_t d) { return proj(a, dims[(d + 1) % n], dims[d]); }, "ModuleList"));
  return m;
}

ModulePtr patch_embed(const timm::Args& a, int64_t patch, int64_t dim) {
  auto p = make("PatchEmbed");
  int64_t in = a.i("in_chans");
  if (!a.b("multi_conv")) {
    p->add("proj", conv2d(in, dim, patch));
    return p;
  }
  if (patch != 12 && patch != 16) a.unsupported("multi_conv with patch_size " + std::to_string(patch));
  auto s = make("Sequential");
  s->add("0", conv2d(in, dim / 4, 7));
  s->add("1", leaf("ReLU"));
  s->add("2", conv2d(dim / 4, dim / 2, 3));
  s->add("3", leaf("ReLU"));
  s->add("4", conv2d(dim / 2, dim, 3));
  p->add("proj", s);
  return p;
}

std::vector<double> floats(const timm::Args& a, std::string_view k) {
  std::vector<double> out;
  const Json& v = a.raw(k);
  if (v.is_number()) return {v.get<double>(), v.get<double>()};
  if (!v.is_array()) a.unsupported(std::string(k));
  for (const auto& x : v) out.push_back(x.get<double>());
  return out;
}

Model build(const timm::Args& a) {
  auto patch = a.ints("patch_size"), dims = a.ints("embed_dim"), heads = a.ints("num_heads"), img = a.ints("img_size");
  auto ratio = floats(a, "mlp_ratio"), scale = floats(a, "img_scale");
  size_t n = patch.size();
  if (img.size() == 1) img.push_back(img[0]);
  if (n == 0 || dims.size() != n || heads.size() != n || ratio.size() < n || scale.size() < n || img.size() != 2)
    a.unsupported("patch_size / embed_dim / num_heads / mlp_ratio / img_scale lengths");
  if (a.s("global_pool") != "token" && a.s("global_pool") != "avg") a.unsupported("global_pool " + a.s("global_pool"));
  int64_t classes = a.i("num_classes");
  auto root = make("CrossVit");
  for (size_t i = 0; i < n; ++i) {
    timm::checked(patch[i], 1, 1 << 12, "patch_size");
    timm::checked(dims[i], 4, 1 << 14, "embed_dim");
    timm::checked(heads[i], 1, dims[i], "num_heads");
    int64_t h = static_cast<int64_t>(static_cast<double>(img[0]) * scale[i]), w = static_cast<int64_t>(static_cast<double>(img[1]) * scale[i]);
    root->param("pos_embed_" + std::to_string(i), {1, 1 + (h / patch[i] * w) / patch[i], dims[i]});
    root->param("cls_token_" + std::to_string(i), {1, 1, dims[i]});
  }
  root->add("patch_embed", timm::seq(static_cast<int64_t>(n), [&](int64_t i) { return patch_embed(a, patch[i], dims[i]); }, "ModuleList"));
  root->add("pos_drop", leaf("Dropout"));
  const Json& depth = a.raw("depth");
  if (!depth.is_array()) a.unsupported("depth");
  auto blocks = make("ModuleList");
  for (size_t i = 0; i < depth.size() && i < 64; ++i) {
    auto cfg = depth[i].get<std::vector<int64_t>>();
    if (cfg.size() != n + 1) a.unsupported("depth entry length");
    blocks->add(std::to_string(i), multi_scale_block(a, dims, heads, ratio, cfg));
  }
  root->add("blocks", blocks);
  root->add("norm", timm::seq(static_cast<int64_t>(n), [&](int64_t i) { return timm::norm(a, a.layer("norm_layer"), dims[i]); }, "ModuleList"));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::seq(static_cast<int64_t>(n), [&](int64_t i) { return timm::fc_or_identity(dims[i], classes); }, "ModuleList"));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"CrossVit"}, build);

}  // namespace
}  // namespace memfit
