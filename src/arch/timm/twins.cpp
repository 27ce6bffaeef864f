// timm Twins (timm/models/twins.py) from its registered arguments: per stage a PatchEmbed (conv + LayerNorm), then
// Blocks (LocallyGroupedAttn qkv / proj on even blocks when wss is set, else GlobalSubSampleAttn q / kv / proj with an
// sr conv + norm for sr_ratio > 1), the PosConv pos_block per stage, norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(int64_t dim, int64_t ws, int64_t sr) {
  if (ws != 1) return timm::qkv_attention("LocallyGroupedAttn", dim, true);
  auto m = make("GlobalSubSampleAttn");
  m->add("q", linear(dim, dim));
  m->add("kv", linear(dim, dim * 2));
  m->add("attn_drop", leaf("Dropout"));
  m->add("proj", linear(dim, dim));
  m->add("proj_drop", leaf("Dropout"));
  if (sr > 1) {
    m->add("sr", conv2d(dim, dim, sr));
    m->add("norm", layer_norm(dim));
  }
  return m;
}

Model build(const timm::Args& a) {
  if (a.layer("block_cls") != "Block") a.unsupported("block_cls " + a.layer("block_cls"));
  auto dims = a.ints("embed_dims"), depths = a.ints("depths"), sr = a.ints("sr_ratios");
  const Json& ratios = a.raw("mlp_ratios");
  std::vector<int64_t> wss = a.has("wss") ? a.ints("wss") : std::vector<int64_t>{};
  size_t n = depths.size();
  if (n == 0 || dims.size() < n || sr.size() < n || !ratios.is_array() || ratios.size() < n || (!wss.empty() && wss.size() < n))
    a.unsupported("embed_dims / depths / sr_ratios / mlp_ratios / wss lengths");
  std::string norm = a.layer("norm_layer");
  auto root = make("Twins");
  auto embeds = make("ModuleList"), drops = make("ModuleList");
  int64_t prev = a.i("in_chans"), patch = a.i("patch_size");
  for (size_t i = 0; i < n; ++i) {
    timm::checked(dims[i], 1, 1 << 14, "embed_dims");
    embeds->add(std::to_string(i), timm::patch_embed(prev, dims[i], i == 0 ? patch : 2, true, true));
    drops->add(std::to_string(i), leaf("Dropout"));
    prev = dims[i];
  }
  root->add("patch_embeds", embeds);
  root->add("pos_drops", drops);
  auto blocks = make("ModuleList");
  for (size_t k = 0; k < n; ++k) {
    int64_t d = dims[k], hidden = static_cast<int64_t>(static_cast<double>(d) * ratios[k].get<double>());
    blocks->add(std::to_string(k), timm::seq(timm::checked(depths[k], 0, 1024, "depths"), [&](int64_t i) {
                  int64_t ws = wss.empty() || i % 2 == 1 ? 1 : wss[k];
                  auto b = make("Block");
                  b->add("norm1", timm::norm(a, norm, d));
                  b->add("attn", attention(d, ws, timm::checked(sr[k], 1, 64, "sr_ratios")));
                  b->add("drop_path1", leaf("Identity"));
                  b->add("norm2", timm::norm(a, norm, d));
                  b->add("mlp", timm::mlp(d, hidden, d));
                  b->add("drop_path2", leaf("Identity"));
                  return b;
                }, "ModuleList"));
  }
  root->add("blocks", blocks);
  root->add("pos_block", timm::seq(static_cast<int64_t>(n), [&](int64_t i) {
              auto p = make("PosConv");
              auto s = make("Sequential");
              s->add("0", conv2d(dims[i], dims[i], 3, true, dims[i]));
              p->add("proj", s);
              return p;
            }, "ModuleList"));
  root->add("norm", timm::norm(a, norm, dims[n - 1]));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dims[n - 1], a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Twins"}, build);

}  // namespace
}  // namespace memfit
