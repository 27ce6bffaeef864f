// DeepSeek-V2 and -V3: transformers' modeling_deepseek_v2.py / modeling_deepseek_v3.py. Multi-head latent attention
// (q_proj or the q_a/q_b low-rank pair, kv_a_proj_with_mqa, kv_b_proj), dense MLPs on the first
// `first_k_dense_replace` layers, then MoE blocks with routed and shared experts; and the families built from them.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr mla_attention(const Config& c, const DecoderSpec& s) {
  int64_t nope = moe::count(c, {"qk_nope_head_dim"}, 128), rope = moe::count(c, {"qk_rope_head_dim"}, 64);
  int64_t v_dim = moe::count(c, {"v_head_dim"}, 128), kv_rank = moe::count(c, {"kv_lora_rank"}, 512);
  bool bias = c.b("attention_bias", false);
  // q_lora_rank: absent means the class default 1536; an explicit null means no low-rank query.
  const Json& raw = c.raw();
  bool q_null = raw.contains("q_lora_rank") && raw["q_lora_rank"].is_null();
  int64_t q_rank = q_null ? 0 : moe::count(c, {"q_lora_rank"}, 1536);
  auto a = make(s.prefix + "Attention");
  if (q_rank == 0) {
    a->add("q_proj", linear(s.hidden, s.heads * (nope + rope), false));
  } else {
    a->add("q_a_proj", linear(s.hidden, q_rank, bias));
    a->add("q_a_layernorm", rms_norm(s.prefix + "RMSNorm", q_rank));
    a->add("q_b_proj", linear(q_rank, s.heads * (nope + rope), false));
  }
  a->add("kv_a_proj_with_mqa", linear(s.hidden, kv_rank + rope, bias));
  a->add("kv_a_layernorm", rms_norm(s.prefix + "RMSNorm", kv_rank));
  a->add("kv_b_proj", linear(kv_rank, s.heads * (nope + v_dim), false));
  a->add("o_proj", linear(s.heads * v_dim, s.hidden, bias));
  return a;
}

// How the DeepSeek-shaped families differ from DeepSeek-V2/V3.
struct Variant {
  bool v3 = true;                 // V3 defaults, router with e_score_correction_bias
  bool correction_bias = true;    // (Mistral-4's router has none)
  std::string moe_suffix = "MoE";
  bool dense_only = false;        // every layer a dense MLP (Youtu, MiniCPM3)
  bool per_layer_types = false;   // mlp_layer_types' class default starts sparse at layer 1 (GLM-4.7-Flash, V3.2)
  bool config_rope = false;       // RoPE over int(head_dim * partial_rotary_factor), head_dim from the config
  bool scaled_embedding = false;  // MiniCPM3ScaledWordEmbedding: embed_scale = torch.tensor(scale_emb)
  bool indexer = false;           // DeepSeek sparse attention: self_attn.indexer (DeepSeek-V3.2, GLM-5)
  bool moe_post_norm = false;     // the MoE block ends in post_mlp_layernorm (A.X-K1)
};

// <P>Indexer of DeepSeek sparse attention: wq_b, wk, k_norm (LayerNorm), weights_proj.
ModulePtr indexer(const Config& c, const std::string& p, int64_t hidden) {
  const int64_t heads = moe::count(c, {"index_n_heads"}, 64), dim = moe::count(c, {"index_head_dim"}, 128);
  auto m = make(p + "Indexer");
  m->add("wq_b", linear(moe::count(c, {"q_lora_rank"}, 1536), heads * dim, false));
  m->add("wk", linear(hidden, dim, false));
  m->add("k_norm", layer_norm(dim));
  m->add("weights_proj", linear(hidden, heads, false));
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& prefix, const Variant& v) {
  const bool v3 = v.v3;
  DecoderSpec s = moe::read(c, prefix);
  s.head_dim = s.rotary_dim = moe::count(c, {"qk_rope_head_dim"}, 64);  // config.head_dim = qk_rope_head_dim
  if (v.config_rope) s.rotary_dim = rope_dim(c.i("head_dim", s.head_dim), rope_fraction(c));
  s.mlp_bias = !v3 && c.b("mlp_bias", false);
  moe::SharedMoe sm;
  sm.block_cls = prefix + v.moe_suffix;
  sm.router_cls = prefix + "TopkRouter";
  sm.experts_cls = prefix + "Experts";
  sm.mlp_cls = prefix + "MLP";
  sm.act_cls = act_class(s.act);
  sm.num_experts = v.dense_only ? 0 : moe::experts_count(c, {"n_routed_experts"}, v3 ? 256 : 64);
  sm.hidden = s.hidden;
  sm.inter = v.dense_only ? 0 : moe::count(c, {"moe_intermediate_size"}, v3 ? 2048 : 1407);
  sm.n_shared = v.dense_only ? 0 : moe::count(c, {"n_shared_experts"}, v3 ? 1 : 2, 0);
  sm.correction_bias = v3 && v.correction_bias;
  sm.mlp_bias = s.mlp_bias;
  const int64_t first_dense = v3 ? (v.per_layer_types ? 1 : 3) : 0;
  const std::vector<bool> sparse_at = moe::sparse_layers(c, s.layers, first_dense);
  auto moe_block = v.dense_only ? nullptr : moe::shared_block(sm);
  if (v.moe_post_norm) moe_block->add("post_mlp_layernorm", rms_norm(prefix + "RMSNorm", s.hidden));
  auto attn = mla_attention(c, s);
  // GLM-5's layers listed "shared" in indexer_types reuse another layer's top-k and hold no indexer.
  std::vector<std::string> idx_types = c.strings("indexer_types");
  auto bare_attn = attn;
  if (v.indexer) {
    attn = mla_attention(c, s);
    attn->add("indexer", indexer(c, prefix, s.hidden));
  }
  auto dense = moe::layer(s, attn, decoder_mlp(s));
  auto sparse = v.dense_only ? dense : moe::layer(s, attn, moe_block);
  auto bare_dense = moe::layer(s, bare_attn, decoder_mlp(s));
  auto bare_sparse = v.dense_only ? dense : moe::layer(s, bare_attn, moe_block);
  if (v.scaled_embedding) {
    // The buffer is torch.tensor(scale_emb): int64 for an integer in the config, float32 otherwise.
    const Json& se = c.raw().contains("scale_emb") ? c.raw()["scale_emb"] : Json(1);
    const DType dt = se.is_number_integer() ? DType::I64 : DType::F32;
    s.embed_scale = false;
    Model m = moe::decoder(s, cls, [=](int64_t) { return dense; });
    ModulePtr root = m.root->cls == prefix + "Model" ? m.root : m.root->child("model");
    auto e = make(prefix + "ScaledWordEmbedding");
    e->param("weight", {s.vocab, s.hidden});
    e->buffer("embed_scale", {}, dt, false);
    root->children[0].second = e;
    return m;
  }
  Model m = moe::decoder(s, cls, [=](int64_t i) {
    if (v.dense_only) return dense;
    const bool shared = i < static_cast<int64_t>(idx_types.size()) && idx_types[i] == "shared";
    if (shared) return sparse_at[i] ? bare_sparse : bare_dense;
    return sparse_at[i] ? sparse : dense;
  });
  m.to_checkpoint = moe::split_experts();
  return m;
}

// LongCat-Flash (modeling_longcat_flash.py): num_layers layers, each of two MLA attentions, two dense MLPs, two
// pairs of norms (ModuleLists) and one shortcut MoE `mlp` whose router (classifier + correction bias) and fused
// gate_up_proj also cover zero_expert_num identity experts.
Model longcat_flash(const Config& c, std::string_view cls) {
  const std::string p = "LongcatFlash";
  DecoderSpec s = moe::read(c, p);
  s.layers = checked_count(c.i("num_layers", 28));  // num_hidden_layers counts the attention sublayers (2 per layer)
  s.head_dim = s.rotary_dim = moe::count(c, {"qk_rope_head_dim"}, 64);
  const int64_t routed = moe::experts_count(c, {"n_routed_experts"}, 512);
  const int64_t zero = c.has("zero_expert_num") ? moe::experts_count(c, {"zero_expert_num"}, 0) : 0;
  const int64_t inter = moe::count(c, {"expert_ffn_hidden_size"}, 2048), ffn = moe::count(c, {"ffn_hidden_size"}, 12288);
  auto ex = make(p + "Experts");
  ex->add("act_fn", leaf(act_class(s.act)));
  ex->add("identity_expert", leaf("Identity"));
  if (routed > 0) {
    ex->param("gate_up_proj", {routed + zero, 2 * inter, s.hidden});
    ex->param("down_proj", {routed, s.hidden, inter});
  }
  auto router = make(p + "TopkRouter");
  router->buffer("e_score_correction_bias", {routed + zero}, DType::F32);
  router->add("classifier", linear(s.hidden, routed + zero, c.b("router_bias", false)));
  auto block = make(p + "MoE");
  block->add("experts", ex);
  block->add("router", router);
  auto attn = mla_attention(c, s);
  auto mlp = gated_mlp(p + "MLP", s.hidden, ffn, false, act_class(s.act));
  auto norm = rms_norm(p + "RMSNorm", s.hidden);
  auto layer = make(p + "DecoderLayer");
  layer->add("mlp", block);
  layer->add("self_attn", repeat(attn, 2));
  layer->add("mlps", repeat(mlp, 2));
  layer->add("input_layernorm", repeat(norm, 2));
  layer->add("post_attention_layernorm", repeat(norm, 2));
  Model m = moe::decoder(s, cls, [layer](int64_t) { return layer; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"deepseek_v2"}, "DeepseekV2",
              [](const Config& c, std::string_view cls) { return build(c, cls, "DeepseekV2", {.v3 = false, .moe_suffix = "Moe"}); });
MEMFIT_FAMILY({"deepseek_v3"}, "DeepseekV3",
              [](const Config& c, std::string_view cls) { return build(c, cls, "DeepseekV3", {}); });
// GLM-4.7-Flash (glm4_moe_lite, modeling_glm4_moe_lite.py): DeepSeek-V3 attention, GLM-4.5's MoE, dense or sparse
// per mlp_layer_types.
MEMFIT_FAMILY({"glm4_moe_lite"}, "Glm4MoeLite", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Glm4MoeLite", {.per_layer_types = true, .config_rope = true});
});
MEMFIT_FAMILY({"longcat_flash"}, "LongcatFlash", longcat_flash);
// A.X-K1 (modeling_axk1.py): DeepSeek-V3 whose MoE block ends in an RMSNorm.
MEMFIT_FAMILY({"axk1"}, "AXK1", [](const Config& c, std::string_view cls) {
  return build(c, cls, "AXK1", {.moe_post_norm = true});
});
// DeepSeek-V3.2 (modeling_deepseek_v32.py) and GLM-5 (glm_moe_dsa, modeling_glm_moe_dsa.py): DeepSeek-V3 with a
// sparse-attention indexer in every attention (GLM-5: but the "shared" layers of indexer_types), dense or sparse per
// mlp_layer_types.
MEMFIT_FAMILY({"deepseek_v32"}, "DeepseekV32", [](const Config& c, std::string_view cls) {
  return build(c, cls, "DeepseekV32", {.per_layer_types = true, .indexer = true});
});
MEMFIT_FAMILY({"glm_moe_dsa"}, "GlmMoeDsa", [](const Config& c, std::string_view cls) {
  return build(c, cls, "GlmMoeDsa", {.per_layer_types = true, .indexer = true});
});
// Mistral 4 (modeling_mistral4.py): DeepSeek-V3 with a router without correction bias, partial YaRN RoPE.
MEMFIT_FAMILY({"mistral4"}, "Mistral4", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Mistral4", {.correction_bias = false, .config_rope = true});
});
// Youtu (modeling_youtu.py): DeepSeek-V3 attention in a dense Llama decoder.
MEMFIT_FAMILY({"youtu"}, "Youtu", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Youtu", {.dense_only = true, .config_rope = true});
});
// MiniCPM3 (modeling_minicpm3.py): DeepSeek-V2 attention in a dense Llama decoder, scaled word embedding.
MEMFIT_FAMILY({"minicpm3"}, "MiniCPM3", [](const Config& c, std::string_view cls) {
  return build(c, cls, "MiniCPM3", {.v3 = false, .dense_only = true, .config_rope = true, .scaled_embedding = true});
});

}  // namespace
}  // namespace memfit
