// ERNIE 4.5 VL MoE: transformers' modeling_ernie4_5_vl_moe.py. Ernie4_5_VLMoeModel = `language_model` (an ERNIE 4.5
// MoE decoder whose sparse layers hold modality-isolated experts: text_moe and vision_moe, each a router with its
// moe_statics and fused experts of their own width, moe_intermediate_size [text, vision], plus shared_experts),
// `vision_tower` (a Qwen2-VL-style ViT: Linear patch embed, a float32 rotary table, blocks of LayerNorm + qkv
// attention + fc1/fc2 MLP, a final LayerNorm) and `resampler_model` (spatial then temporal MLP merges and a projection
// into the text width). Ernie4_5_VLMoeForConditionalGeneration adds lm_head, tied by default.
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "Ernie4_5_VLMoe";

// Ernie4_5_VLMoeSparseMoeBlock: gate (router + moe_statics.e_score_correction_bias [1, E], a parameter), experts.
ModulePtr sparse_block(const DecoderSpec& s, int64_t experts, int64_t inter) {
  auto gate = moe::router(kP + "MoeTopKRouter", experts, s.hidden);
  gate->add("moe_statics", make(kP + "MoeStatics"))->param("e_score_correction_bias", {1, experts});
  auto b = make(kP + "SparseMoeBlock");
  b->add("gate", gate);
  b->add("experts", moe::experts(kP + "MoeExperts", experts, s.hidden, inter, act_class(s.act)));
  return b;
}

ModulePtr text_model(const Config& t, DecoderSpec* out) {
  DecoderSpec s = moe::read(t, kP, true);
  bool bias = t.b("use_bias", false);
  s.qkv_bias = s.o_bias = s.mlp_bias = bias;
  int64_t experts = moe::experts_count(t, {"moe_num_experts", "num_experts"}, 64);
  auto widths = t.has("moe_intermediate_size") ? t.ints("moe_intermediate_size") : std::vector<int64_t>{1536, 512};
  if (widths.size() < 2) throw ConfigError("ernie4_5_vl_moe: moe_intermediate_size needs [text, vision] widths");
  int64_t text_inter = moe::dim(t, "moe_intermediate_size", widths[0]);
  int64_t vision_inter = moe::dim(t, "moe_intermediate_size", widths[1]);
  int64_t n_shared = moe::count(t, {"moe_num_shared_experts"}, 2, 0);

  auto block = make(kP + "MoeBlock");
  block->add("text_moe", sparse_block(s, experts, text_inter));
  block->add("vision_moe", sparse_block(s, experts, vision_inter));
  if (n_shared > 0)
    block->add("shared_experts", gated_mlp(kP + "MLP", s.hidden, text_inter * n_shared, bias, act_class(s.act)));
  auto attn = decoder_attention(s);
  attn->cls = kP + "TextAttention";
  auto dense = moe::layer(s, attn, decoder_mlp(s)), sparse = moe::layer(s, attn, block);
  // mlp_layer_types: "sparse" / "dense" per layer (the config fills ["dense"] + ["sparse"] * (layers - 1)).
  auto types = t.strings("mlp_layer_types");
  s.layer = [=](int64_t i) {
    bool is_sparse = i < static_cast<int64_t>(types.size()) ? types[i] == "sparse" : i > 0;
    return is_sparse ? sparse : dense;
  };
  // The text rotary embedding keeps only inv_freq [head_dim / 2] as a buffer (original_inv_freq is an attribute).
  int64_t half = (s.head_dim + 1) / 2;
  s.rotary_emb = [half] {
    auto r = make(kP + "TextRotaryEmbedding");
    r->buffer("inv_freq", {half}, DType::F32, false);
    return r;
  };
  auto m = decoder_model(s);
  m->cls = kP + "TextModel";
  *out = s;
  return m;
}

// Ernie4_5_VLMoeVisionTransformerPretrainedModel.
ModulePtr vision_tower(const Config& v) {
  int64_t h = moe::count(v, {"hidden_size"}, 1280), heads = moe::count(v, {"num_heads"}, 16);
  int64_t inter = moe::count(v, {"intermediate_size"}, 5120), patch = moe::count(v, {"patch_size"}, 14);
  int64_t in_ch = moe::count(v, {"in_channels"}, 3);
  auto m = make(kP + "VisionTransformerPretrainedModel");
  m->add("patch_embed", make(kP + "PatchEmbed"))->add("proj", linear(in_ch * patch * patch, h, false));
  // Ernie4_5_VLMoeVisionRotaryEmbedding(head_dim // 2): inv_freq = arange(0, dim, 2), ceil(dim / 2) entries.
  int64_t rot = (h / heads) / 2;
  m->add("rotary_pos_emb", make(kP + "VisionRotaryEmbedding"))->buffer("inv_freq", {(rot + 1) / 2}, DType::F32, false);
  auto block = make(kP + "VisionBlock");
  block->add("norm1", layer_norm(h));
  block->add("norm2", layer_norm(h));
  auto attn = block->add("attn", make(kP + "VisionAttention"));
  attn->add("qkv", linear(h, 3 * h));
  attn->add("proj", linear(h, h));
  auto mlp = block->add("mlp", make("Ernie4_5VLVisionMLP"));
  mlp->add("fc1", linear(h, inter));
  mlp->add("act", leaf(act_class(v.s("hidden_act", "quick_gelu"))));
  mlp->add("fc2", linear(inter, h));
  m->add("blocks", repeat(block, moe::count(v, {"depth"}, 32)));
  m->add("ln", layer_norm(h));
  return m;
}

// Ernie4_5_VLMoeVariableResolutionResamplerModel: spatial_dim = vision hidden * merge^2, temporal_dim = spatial_dim *
// temporal_merge_size.
ModulePtr resampler(const Config& v, int64_t text_hidden) {
  int64_t in = moe::count(v, {"hidden_size"}, 1280), merge = moe::count(v, {"spatial_merge_size"}, 2);
  int64_t spatial = in * merge * merge, temporal = spatial * moe::count(v, {"temporal_merge_size"}, 2);
  auto vision_mlp = [&](int64_t from) {
    auto m = make(kP + "VisionMLP");
    m->add("fc1", linear(from, spatial));
    m->add("act_fn", leaf("GELU"));
    m->add("fc2", linear(spatial, spatial));
    m->add("ln", layer_norm(spatial));
    return m;
  };
  auto r = make(kP + "VariableResolutionResamplerModel");
  r->add("spatial_linear", vision_mlp(spatial));
  r->add("temporal_linear", vision_mlp(temporal));
  r->add("mlp", linear(spatial, text_hidden));
  r->add("after_norm", rms_norm(kP + "RMSNorm", text_hidden));
  return r;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{kP + "DecoderLayer", kP + "VisionBlock"};
  DecoderSpec s;
  Config v = c.sub("vision_config");
  auto model = make(kP + "Model");
  model->add("language_model", text_model(c.sub("text_config"), &s));
  model->add("vision_tower", vision_tower(v));
  model->add("resampler_model", resampler(v, s.hidden));
  if (cls == kP + "Model" || cls == "Ernie4_5_VL_MoeModel") return {model, no_split};
  if (cls != kP + "ForConditionalGeneration" && cls != "Ernie4_5_VL_MoeForConditionalGeneration")
    heads::unsupported(cls);
  return conditional_generation(std::string(cls), {model, no_split}, s.hidden, s.vocab,
                                heads::ties_embeddings(c, true));
}

MEMFIT_FAMILY({"ernie4_5_vl_moe"}, "Ernie4_5_VLMoe", build);

}  // namespace
}  // namespace memfit
