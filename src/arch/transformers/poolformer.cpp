// PoolFormer: transformers' modeling_poolformer.py. Per stage a strided conv patch embedding and layers of
// average-pool token mixing + a 1x1-conv MLP, each behind a one-group GroupNorm, with optional layer scales.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr group_norm(int64_t ch) { return layer_norm(ch, true, "PoolFormerGroupNorm"); }

ModulePtr pf_layer(const Config& c, int64_t h, bool dp) {
  int64_t inter = static_cast<int64_t>(static_cast<double>(h) * c.f("mlp_ratio", 4.0));
  media::require(c, inter > 0 && inter <= media::kMaxDim, "mlp_ratio out of range");
  auto pool = make("PoolFormerPooling");
  pool->add("pool", leaf("AvgPool2d"));
  auto out = make("PoolFormerOutput");
  out->add("conv1", conv2d(h, inter, 1));
  out->add("conv2", conv2d(inter, h, 1));
  out->add("drop", leaf("PoolFormerDropPath"));
  out->add("act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto l = make("PoolFormerLayer");
  l->add("pooling", pool);
  l->add("output", out);
  l->add("before_norm", group_norm(h));
  l->add("after_norm", group_norm(h));
  l->add("drop_path", leaf(dp ? "PoolFormerDropPath" : "Identity"));
  if (c.b("use_layer_scale", true)) l->param("layer_scale_1", {h}).param("layer_scale_2", {h});
  return l;
}

ModulePtr poolformer_model(const Config& c, int64_t& last) {
  int64_t n = media::count(c, "num_encoder_blocks", 4);
  auto hidden = media::dims(c, "hidden_sizes", {64, 128, 320, 512});
  auto depths = media::dims(c, "depths", {2, 2, 6, 2}, 0);
  auto patches = media::dims(c, "patch_sizes", {7, 3, 3, 3});
  auto un = static_cast<size_t>(n);
  media::require(c, n >= 1 && hidden.size() >= un && depths.size() >= un && patches.size() >= un,
                 "per-stage lists shorter than num_encoder_blocks");
  bool dp = c.f("drop_path_rate", 0.0) > 0;  // linear from 0: only the very first layer keeps an Identity
  auto pe = make("ModuleList"), blocks = make("ModuleList");
  for (size_t i = 0; i < un; ++i) {
    auto e = make("PoolFormerEmbeddings");
    e->add("projection", conv2d(i == 0 ? media::dim(c, "num_channels", 3) : hidden[i - 1], hidden[i], patches[i]));
    e->add("norm", leaf("Identity"));
    pe->add(std::to_string(i), e);
    auto plain = pf_layer(c, hidden[i], dp), first = i == 0 ? pf_layer(c, hidden[i], false) : plain;
    std::vector<ModulePtr> ls;
    for (int64_t j = 0; j < depths[i]; ++j) ls.push_back(j == 0 ? first : plain);
    blocks->add(std::to_string(i), module_list(ls));
  }
  auto enc = make("PoolFormerEncoder");
  enc->add("patch_embeddings", pe);
  enc->add("block", blocks);
  auto m = make("PoolFormerModel");
  m->add("encoder", enc);
  last = hidden[un - 1];
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"PoolFormerLayer"};
  int64_t last = 0;
  if (cls == "PoolFormerModel") return {poolformer_model(c, last), no_split};
  if (cls != "PoolFormerForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("poolformer", poolformer_model(c, last));
  root->add("norm", group_norm(last));
  root->add("classifier", media::linear_or_identity(last, heads::num_labels(c)));
  return {root, no_split};
}

MEMFIT_FAMILY({"poolformer"}, "PoolFormer", build);

}  // namespace
}  // namespace memfit
