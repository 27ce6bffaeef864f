// PVTv2: transformers' modeling_pvt_v2.py. Stages (encoder.layers.N) of an overlapping conv patch embedding, blocks
// of spatial-reduction attention (query/key/value/proj; a strided conv + LayerNorm for sr_ratio > 1, or a pooled 1x1
// conv with linear_attention) and a conv feed-forward with a depth-wise conv, then a LayerNorm.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr block(const Config& c, int64_t h, int64_t heads, int64_t sr, double ratio, bool dp) {
  media::divisible(c, h, heads, "hidden_sizes / num_attention_heads");
  bool linear_attn = c.b("linear_attention", false), bias = c.b("qkv_bias", true);
  auto attn = make("PvtV2SelfAttention");
  for (const char* n : {"query", "key", "value"}) attn->add(n, linear(h, h, bias));
  attn->add("attn_drop", leaf("Dropout"));
  attn->add("proj", linear(h, h));
  attn->add("proj_drop", leaf("Dropout"));
  if (linear_attn) {
    attn->add("pool", leaf("AdaptiveAvgPool2d"));
    attn->add("spatial_reduction", conv2d(h, h, 1));
    attn->add("layer_norm", layer_norm(h));
    attn->add("act", leaf("GELU"));
  } else if (sr > 1) {
    media::require(c, sr <= 4096, "sr_ratios out of range");
    attn->add("spatial_reduction", conv2d(h, h, sr));
    attn->add("layer_norm", layer_norm(h));
  }
  int64_t hidden = static_cast<int64_t>(static_cast<double>(h) * ratio);
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratios out of range");
  auto dw = make("PvtV2DepthWiseConv");
  dw->add("dwconv", conv2d(hidden, hidden, 3, true, hidden));
  auto ffn = make("PvtV2ConvFeedForwardNetwork");
  ffn->add("dense1", linear(h, hidden));
  ffn->add("dwconv", dw);
  ffn->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  ffn->add("dense2", linear(hidden, h));
  ffn->add("dropout", leaf("Dropout"));
  ffn->add("relu", leaf(linear_attn ? "ReLU" : "Identity"));
  auto l = make("PvtV2BlockLayer");
  l->add("layer_norm_1", layer_norm(h));
  l->add("attention", attn);
  l->add("drop_path", leaf(dp ? "PvtV2DropPath" : "Identity"));
  l->add("layer_norm_2", layer_norm(h));
  l->add("mlp", ffn);
  return l;
}

double list_f(const Config& c, std::string_view key, size_t i, double def) {
  auto it = c.raw().find(key);
  if (it == c.raw().end() || it->is_null()) return def;
  if (!it->is_array() || it->size() <= i || !(*it)[i].is_number()) c.missing(key);
  return (*it)[i].get<double>();
}

ModulePtr pvt_model(const Config& c, std::string cls, int64_t& last) {
  int64_t n = media::count(c, "num_encoder_blocks", 4);
  auto hidden = media::dims(c, "hidden_sizes", {32, 64, 160, 256});
  auto heads = media::dims(c, "num_attention_heads", {1, 2, 5, 8});
  auto depths = media::dims(c, "depths", {2, 2, 2, 2}, 0);
  auto patch = media::dims(c, "patch_sizes", {7, 3, 3, 3});
  auto sr = media::dims(c, "sr_ratios", {8, 4, 2, 1});
  auto un = static_cast<size_t>(n);
  media::require(c, n >= 1 && hidden.size() >= un && heads.size() >= un && depths.size() >= un &&
                        patch.size() >= un && sr.size() >= un,
                 "per-stage lists shorter than num_encoder_blocks");
  bool dp = c.f("drop_path_rate", 0) > 0;  // linear from 0: only the very first block keeps an Identity
  auto layers = make("ModuleList");
  for (size_t i = 0; i < un; ++i) {
    double ratio = list_f(c, "mlp_ratios", i, i < 2 ? 8 : 4);
    auto pe = make("PvtV2OverlapPatchEmbeddings");
    pe->add("proj", conv2d(i == 0 ? media::dim(c, "num_channels", 3) : hidden[i - 1], hidden[i], patch[i]));
    pe->add("layer_norm", layer_norm(hidden[i]));
    auto plain = block(c, hidden[i], heads[i], sr[i], ratio, dp);
    auto first = i == 0 ? block(c, hidden[i], heads[i], sr[i], ratio, false) : plain;
    std::vector<ModulePtr> bs;
    for (int64_t j = 0; j < depths[i]; ++j) bs.push_back(j == 0 ? first : plain);
    auto st = make("PvtV2EncoderLayer");
    st->add("patch_embedding", pe);
    st->add("blocks", module_list(bs));
    st->add("layer_norm", layer_norm(hidden[i]));
    layers->add(std::to_string(i), st);
  }
  auto enc = make("PvtV2Encoder");
  enc->add("layers", layers);
  auto m = make(std::move(cls));
  m->add("encoder", enc);
  last = hidden[un - 1];
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t last = 0;
  if (cls == "PvtV2Model" || cls == "PvtV2Backbone") return {pvt_model(c, std::string(cls), last), {}};
  if (cls != "PvtV2ForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("pvt_v2", pvt_model(c, "PvtV2Model", last));
  root->add("classifier", media::linear_or_identity(last, heads::num_labels(c)));
  return {root, {}};
}

MEMFIT_FAMILY({"pvt_v2"}, "PvtV2", build);

}  // namespace
}  // namespace memfit
