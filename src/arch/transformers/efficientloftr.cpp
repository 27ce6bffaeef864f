// EfficientLoFTR: transformers' modeling_efficientloftr.py. EfficientLoFTRModel: backbone = a RepVGG of stages
// (stage_stride / stage_num_blocks / out_features; the first reads one grey channel) whose blocks hold a 3x3 and a
// 1x1 conv-norm and, where shape and stride are kept, an identity BatchNorm; local_feature_transformer: layers of
// self and cross aggregated attention (a depth-wise strided q_aggregation conv, a max pool and a LayerNorm;
// bias-free q/k/v/o; an MLP 2h -> 2h -> h with a LayerNorm); rotary_emb (non-persistent inv_freq and
// original_inv_freq over int(head_dim * partial_rotary_factor) / 2, partial_rotary_factor 4.0 by default).
// EfficientLoFTRForKeypointMatching adds the refinement_layer (a 1x1 out_conv and out-conv blocks over the reversed
// out_features). No no-split modules.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr conv_norm(int64_t in, int64_t out, int64_t k) {
  auto l = make("EfficientLoFTRConvNormLayer");
  l->add("conv", conv2d(in, out, k, false));
  l->add("norm", batch_norm(out));
  l->add("activation", leaf("Identity"));
  return l;
}

ModulePtr aggregated_attention(const Config& c, int64_t h) {
  const int64_t heads = media::dim(c, "num_attention_heads", 8), k = media::dim(c, "q_aggregation_kernel_size", 4);
  media::divisible(c, h, heads, "hidden_size by num_attention_heads");
  media::require(c, k <= 64, "q_aggregation_kernel_size out of range");
  const bool bias = c.b("attention_bias", false);
  auto agg = make("EfficientLoFTRAggregationLayer");
  agg->add("q_aggregation", conv2d(h, h, k, false, h));
  agg->add("kv_aggregation", leaf("MaxPool2d"));
  agg->add("norm", layer_norm(h));
  auto attn = make("EfficientLoFTRAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj", "o_proj"}) attn->add(n, linear(h, h, bias));
  auto mlp = make("EfficientLoFTRMLP");
  mlp->add("fc1", linear(2 * h, 2 * h, false));
  mlp->add("activation", leaf(act_class(c.s("mlp_activation_function", "leaky_relu"))));
  mlp->add("fc2", linear(2 * h, h, false));
  mlp->add("layer_norm", layer_norm(h));
  auto a = make("EfficientLoFTRAggregatedAttention");
  a->add("aggregation", agg);
  a->add("attention", attn);
  a->add("mlp", mlp);
  return a;
}

double partial_rotary_factor(const Config& c) {
  if (auto rp = c.opt_sub("rope_parameters"); rp && rp->has("partial_rotary_factor"))
    return rp->f("partial_rotary_factor", 4.0);
  return c.f("partial_rotary_factor", 4.0);
}

ModulePtr loftr_model(const Config& c, std::vector<int64_t>& widths) {
  const int64_t h = media::dim(c, "hidden_size", 256);
  auto strides = media::dims(c, "stage_stride", {2, 1, 2, 2});
  auto blocks_n = media::dims(c, "stage_num_blocks", {1, 2, 4, 14}, 0);
  widths = media::dims(c, "out_features", {64, 64, 128, 256});
  media::require(c, !widths.empty() && blocks_n.size() >= strides.size() && widths.size() >= strides.size(),
                 "stage lists shorter than stage_stride");
  if (h != widths.back())
    throw ConfigError("transformers itself refuses this config: hidden_size must equal the last out_features entry "
                      "(model_type `efficientloftr`)");
  const std::string act = act_class(c.s("activation_function", "relu"));
  auto stages = make("ModuleList");
  int64_t in = 1;
  for (size_t s = 0; s < strides.size(); ++s) {
    auto list = make("ModuleList");
    for (int64_t b = 0; b < blocks_n[s]; ++b) {
      const int64_t out = widths[s], stride = b == 0 ? strides[s] : 1;
      auto blk = make("EfficientLoFTRRepVGGBlock");
      blk->add("conv1", conv_norm(in, out, 3));
      blk->add("conv2", conv_norm(in, out, 1));
      if (in == out && stride == 1) blk->add("identity", batch_norm(in));
      blk->add("activation", leaf(act));
      list->add(std::to_string(b), blk);
      in = out;
    }
    auto st = make("EfficientLoFTRRepVGGStage");
    st->add("blocks", list);
    stages->add(std::to_string(s), st);
  }
  auto backbone = make("EfficientLoFTRepVGG");
  backbone->add("stages", stages);
  auto layer = make("EfficientLoFTRLocalFeatureTransformerLayer");
  layer->add("self_attention", aggregated_attention(c, h));
  layer->add("cross_attention", aggregated_attention(c, h));
  auto lft = make("EfficientLoFTRLocalFeatureTransformer");
  lft->add("layers", repeat(layer, media::count(c, "num_attention_layers", 4)));
  const auto dim = static_cast<int64_t>(static_cast<double>(h / media::dim(c, "num_attention_heads", 8)) *
                                        partial_rotary_factor(c));
  media::require(c, dim >= 0 && dim <= media::kMaxDim, "partial_rotary_factor out of range");
  auto rope = make("EfficientLoFTRRotaryEmbedding");
  rope->buffer("inv_freq", {(dim + 1) / 2}, DType::F32, false);
  rope->buffer("original_inv_freq", {(dim + 1) / 2}, DType::F32, false);
  auto m = make("EfficientLoFTRModel");
  m->add("backbone", backbone);
  m->add("local_feature_transformer", lft);
  m->add("rotary_emb", rope);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<int64_t> widths;
  if (cls == "EfficientLoFTRModel") return {loftr_model(c, widths), {}};
  if (cls != "EfficientLoFTRForKeypointMatching") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("efficientloftr", loftr_model(c, widths));
  // fine_fusion_dims: out_features reversed, without the (reversed) last entry.
  std::vector<int64_t> dims(widths.rbegin(), widths.rend());
  dims.pop_back();
  media::require(c, !dims.empty(), "out_features needs two entries for the refinement layer");
  auto fine = make("EfficientLoFTRFineFusionLayer");
  fine->add("out_conv", conv2d(dims[0], dims[0], 1, false));
  auto blocks_list = make("ModuleList");
  for (size_t i = 1; i < dims.size(); ++i) {
    const int64_t hs = dims[i], is = dims[i - 1];
    auto b = make("EfficientLoFTROutConvBlock");
    b->add("out_conv1", conv2d(hs, is, 1, false));
    b->add("out_conv2", conv2d(is, is, 3, false));
    b->add("batch_norm", batch_norm(is));
    b->add("activation", leaf(act_class(c.s("mlp_activation_function", "leaky_relu"))));
    b->add("out_conv3", conv2d(is, hs, 3, false));
    blocks_list->add(std::to_string(i - 1), b);
  }
  fine->add("out_conv_layers", blocks_list);
  root->add("refinement_layer", fine);
  return {root, {}};
}

MEMFIT_FAMILY({"efficientloftr"}, "EfficientLoFTR", build);

}  // namespace
}  // namespace memfit
