// PVT (v1): transformers' modeling_pvt.py. PvtEncoder: per stage a PvtPatchEmbeddings (learned position embeddings
// for (image_size_i // patch_size_i)^2 patches, image_size_i = image_size for the first stage and
// image_size // 2^(i+1) after; the last stage adds a cls_token and its position; a Conv2d with kernel `strides[i]`
// and stride `patch_sizes[i]`; a LayerNorm), then per stage a ModuleList of PvtLayers (layer_norm_1, attention:
// self = query/key/value + a strided spatial-reduction conv and LayerNorm when the ratio > 1, output.dense;
// drop_path; layer_norm_2; mlp dense1/dense2) and a final LayerNorm over the last width.
// PvtForImageClassification: pvt + classifier (Identity for num_labels 0).
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr layer(const Config& c, int64_t h, int64_t heads, int64_t sr, int64_t ratio, bool drop_path) {
  media::divisible(c, h, heads, "hidden_sizes by num_attention_heads");
  const bool bias = c.b("qkv_bias", true);
  auto self = make("PvtEfficientSelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(h, h, bias));
  self->add("dropout", leaf("Dropout"));
  if (sr > 1) {
    media::require(c, sr <= 4096, "sequence_reduction_ratios out of range");
    self->add("sequence_reduction", conv2d(h, h, sr));
    self->add("layer_norm", layer_norm(h));
  }
  auto out = make("PvtSelfOutput");
  out->add("dense", linear(h, h));
  out->add("dropout", leaf("Dropout"));
  auto attn = make("PvtAttention");
  attn->add("self", self);
  attn->add("output", out);
  const int64_t hidden = h * ratio;
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratios out of range");
  auto ffn = make("PvtFFN");
  ffn->add("dense1", linear(h, hidden));
  ffn->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  ffn->add("dense2", linear(hidden, h));
  ffn->add("dropout", leaf("Dropout"));
  auto l = make("PvtLayer");
  l->add("layer_norm_1", layer_norm(h));
  l->add("attention", attn);
  l->add("drop_path", leaf(drop_path ? "PvtDropPath" : "Identity"));
  l->add("layer_norm_2", layer_norm(h));
  l->add("mlp", ffn);
  return l;
}

ModulePtr pvt_model(const Config& c, int64_t& last) {
  const int64_t n = media::count(c, "num_encoder_blocks", 4);
  const auto un = static_cast<size_t>(n);
  auto hidden = media::dims(c, "hidden_sizes", {64, 128, 320, 512});
  auto heads = media::dims(c, "num_attention_heads", {1, 2, 5, 8});
  auto depths = media::dims(c, "depths", {2, 2, 2, 2}, 0);
  auto patch = media::dims(c, "patch_sizes", {4, 2, 2, 2});
  auto strides = media::dims(c, "strides", {4, 2, 2, 2});
  auto sr = media::dims(c, "sequence_reduction_ratios", {8, 4, 2, 1});
  auto ratios = media::dims(c, "mlp_ratios", {8, 8, 4, 4});
  media::require(c, n >= 1 && hidden.size() >= un && heads.size() >= un && depths.size() >= un &&
                        patch.size() >= un && strides.size() >= un && sr.size() >= un && ratios.size() >= un,
                 "per-stage lists shorter than num_encoder_blocks");
  const auto [img_h, img_w] = media::pair(c, "image_size", 224);
  // drop_path_rate spreads linearly from 0 over all layers: only the very first keeps an Identity when it is > 0.
  const bool dp = c.f("drop_path_rate", 0) > 0;
  auto embeddings = make("ModuleList");
  auto blocks_list = make("ModuleList");
  for (size_t i = 0; i < un; ++i) {
    const bool cls = i + 1 == un;
    const int64_t div = i == 0 ? 1 : int64_t{1} << std::min<size_t>(i + 1, 40);
    const int64_t patches = (img_h / div / patch[i]) * (img_w / div / patch[i]);
    media::require(c, patches <= media::kMaxDim, "image_size too large");
    auto pe = make("PvtPatchEmbeddings");
    pe->param("position_embeddings", {1, patches + (cls ? 1 : 0), hidden[i]});
    if (cls) pe->param("cls_token", {1, 1, hidden[i]});
    pe->add("projection", conv2d(i == 0 ? media::dim(c, "num_channels", 3) : hidden[i - 1], hidden[i], strides[i]));
    pe->add("layer_norm", layer_norm(hidden[i]));
    pe->add("dropout", leaf("Dropout"));
    embeddings->add(std::to_string(i), pe);
    auto plain = layer(c, hidden[i], heads[i], sr[i], ratios[i], dp);
    auto first = i == 0 ? layer(c, hidden[i], heads[i], sr[i], ratios[i], false) : plain;
    std::vector<ModulePtr> ls;
    for (int64_t j = 0; j < depths[i]; ++j) ls.push_back(j == 0 ? first : plain);
    blocks_list->add(std::to_string(i), module_list(ls));
  }
  auto enc = make("PvtEncoder");
  enc->add("patch_embeddings", embeddings);
  enc->add("block", blocks_list);
  enc->add("layer_norm", layer_norm(hidden[un - 1]));
  auto m = make("PvtModel");
  m->add("encoder", enc);
  last = hidden[un - 1];
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t last = 0;
  if (cls == "PvtModel") return {pvt_model(c, last), {}};
  if (cls != "PvtForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("pvt", pvt_model(c, last));
  root->add("classifier", media::linear_or_identity(last, heads::num_labels(c)));
  return {root, {}};
}

MEMFIT_FAMILY({"pvt"}, "Pvt", build);

}  // namespace
}  // namespace memfit
