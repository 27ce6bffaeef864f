// DeepSeek-V4: transformers' modeling_deepseek_v4.py (DeepseekV4Model, DeepseekV4ForCausalLM). Each layer carries
// hc_mult residual streams mixed by two hyper-connections (fn [(2 + hc) x hc, hc x hidden], base, scale [3]); its
// attention is low-rank (q_a_proj, q_a_norm, q_b_proj to heads x head_dim, one shared kv_proj + kv_norm, a grouped
// o_a_proj of o_groups blocks and o_b_proj, per-head sinks) with, per layer type, a compressor: heavily compressed
// (kv/gate projections to head_dim, position_bias [rate, head_dim], kv_norm) or compressed sparse (the same at
// 2 x head_dim plus a lightning indexer at index_head_dim with its q_b_proj and scorer). Every compressor and indexer
// holds its own RoPE table pair (main, compress), as does the model. The MLP is a MoE block: a hash router (an int64
// tid2eid buffer [vocab, top_k]) on "hash_moe" layers, else a top-k router with e_score_correction_bias; fused experts
// and one shared MLP, all of moe_intermediate_size. The model ends with norm, rotary_emb and hc_head.
#include <map>

#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "DeepseekV4";

// DeepseekV4RotaryEmbedding: one inv_freq pair for "main" and one for "compress", each int(head_dim x factor) wide.
ModulePtr rotary_tables(const Config& c, int64_t head_dim) {
  double global = 64.0 / 512.0;  // default_partial_rotary_factor
  if (c.has("partial_rotary_factor")) global = c.f("partial_rotary_factor", global);
  else if (c.has("qk_rope_head_dim")) global = static_cast<double>(c.i("qk_rope_head_dim")) / head_dim;
  auto r = make(kP + "RotaryEmbedding");
  const Json* rp = c.raw().contains("rope_parameters") && c.raw()["rope_parameters"].is_object()
                       ? &c.raw()["rope_parameters"] : nullptr;
  for (const char* t : {"main", "compress"}) {
    double f = global;
    if (rp && rp->contains(t) && (*rp)[t].is_object() && (*rp)[t].contains("partial_rotary_factor") &&
        (*rp)[t]["partial_rotary_factor"].is_number())
      f = (*rp)[t]["partial_rotary_factor"].get<double>();
    media::require(c, f > 0.0 && f <= 1.0, "partial_rotary_factor must lie in (0, 1]");
    const int64_t half = rope_dim(head_dim, f) / 2;
    r->buffer(std::string(t) + "_inv_freq", {half}, DType::F32, false);
    r->buffer(std::string(t) + "_original_inv_freq", {half}, DType::F32, false);
  }
  return r;
}

std::vector<std::string> layer_types(const Config& c, int64_t n) {
  std::vector<std::string> t = c.strings("layer_types");
  if (t.empty() && c.has("compress_ratios")) {
    for (int64_t r : c.ints("compress_ratios")) {
      media::require(c, r == 0 || r == 4 || r == 128, "compress_ratios entries must be 0, 4 or 128");
      t.push_back(r == 0   ? "sliding_attention"
                  : r == 4 ? "compressed_sparse_attention"
                           : "heavily_compressed_attention");
    }
  }
  if (t.empty()) {
    for (int64_t i = 0; i < n; ++i)
      t.push_back(i < 2 || (i - 2) % 2 == 0 ? "heavily_compressed_attention" : "compressed_sparse_attention");
  }
  media::require(c, static_cast<int64_t>(t.size()) >= n, "layer_types lists fewer layers than num_hidden_layers");
  t.resize(n);
  for (const auto& x : t)
    media::require(c, x == "sliding_attention" || x == "compressed_sparse_attention" ||
                          x == "heavily_compressed_attention",
                   "layer_types entries must be sliding_attention, compressed_sparse_attention or "
                   "heavily_compressed_attention");
  return t;
}

int64_t compress_rate(const Config& c, const char* type, const char* legacy, int64_t def) {
  if (c.has(legacy)) return media::dim(c, legacy, def);
  if (auto r = c.opt_sub("compress_rates")) return media::dim(*r, type, def);
  return def;
}

Model build(const Config& c, std::string_view cls) {
  const int64_t h = media::dim(c, "hidden_size", 4096), heads = media::dim(c, "num_attention_heads", 64);
  const int64_t hd = media::dim(c, "head_dim", 512), q_rank = media::dim(c, "q_lora_rank", 1024);
  const int64_t groups = media::dim(c, "o_groups", 8), o_rank = media::dim(c, "o_lora_rank", 1024);
  const int64_t hc = media::dim(c, "hc_mult", 4), vocab = media::dim(c, "vocab_size", 129280);
  const int64_t ih = media::dim(c, "index_n_heads", 64), ihd = media::dim(c, "index_head_dim", 128);
  const int64_t experts = moe::experts_count(c, {"n_routed_experts", "num_local_experts"}, 256);
  const int64_t inter = media::dim(c, "moe_intermediate_size", 2048), top_k = media::dim(c, "num_experts_per_tok", 6);
  const int64_t n = media::count(c, "num_hidden_layers", 43);
  const int64_t csa = compress_rate(c, "compressed_sparse_attention", "compress_rate_csa", 4);
  const int64_t hca = compress_rate(c, "heavily_compressed_attention", "compress_rate_hca", 128);
  media::divisible(c, heads * hd, groups, "num_attention_heads * head_dim / o_groups");
  const std::vector<std::string> types = layer_types(c, n);
  std::vector<std::string> mlp_types = c.strings("mlp_layer_types");
  if (mlp_types.empty()) {
    const int64_t hashed = c.has("num_hash_layers") ? media::count(c, "num_hash_layers", 3) : 3;
    for (int64_t i = 0; i < n; ++i) mlp_types.push_back(i < hashed ? "hash_moe" : "moe");
  }
  media::require(c, static_cast<int64_t>(mlp_types.size()) >= n, "mlp_layer_types lists too few layers");
  auto rms = [&](int64_t d) { return rms_norm(kP + "RMSNorm", d); };

  auto compressor = [&](bool sparse) {
    const int64_t w = sparse ? 2 * hd : hd;
    auto m = make(kP + (sparse ? "CSACompressor" : "HCACompressor"));
    m->add("kv_proj", linear(h, w, false));
    m->add("gate_proj", linear(h, w, false));
    m->param("position_bias", {sparse ? csa : hca, w});
    m->add("kv_norm", rms(hd));
    m->add("rotary_emb", rotary_tables(c, hd));
    if (sparse) {
      auto idx = make(kP + "Indexer");
      idx->add("kv_proj", linear(h, 2 * ihd, false));
      idx->add("gate_proj", linear(h, 2 * ihd, false));
      idx->param("position_bias", {csa, 2 * ihd});
      idx->add("kv_norm", rms(ihd));
      idx->add("q_b_proj", linear(q_rank, ih * ihd, false));
      idx->add("rotary_emb", rotary_tables(c, hd));
      auto scorer = make(kP + "IndexerScorer");
      scorer->add("weights_proj", linear(h, ih, false));
      idx->add("scorer", scorer);
      m->add("indexer", idx);
    }
    return m;
  };
  auto attention = [&](const std::string& type) {
    auto a = make(kP + "Attention");
    a->add("q_a_proj", linear(h, q_rank, false));
    a->add("q_a_norm", rms(q_rank));
    a->add("q_b_proj", linear(q_rank, heads * hd, false));
    a->add("q_b_norm", leaf(kP + "UnweightedRMSNorm"));
    a->add("kv_proj", linear(h, hd, false));
    a->add("kv_norm", rms(hd));
    a->add("o_a_proj", linear(heads * hd / groups, groups * o_rank, false))->cls = kP + "GroupedLinear";
    a->add("o_b_proj", linear(groups * o_rank, h, false));
    a->param("sinks", {heads});
    if (type != "sliding_attention") a->add("compressor", compressor(type == "compressed_sparse_attention"));
    return a;
  };
  auto hyper = [&] {
    auto m = make(kP + "HyperConnection");
    m->add("input_norm", leaf(kP + "UnweightedRMSNorm"));
    m->param("fn", {(2 + hc) * hc, hc * h});
    m->param("base", {(2 + hc) * hc});
    m->param("scale", {3});
    return m;
  };
  const std::string act = act_class(c.s("hidden_act", "silu"));
  const bool mlp_bias = c.b("mlp_bias", false);
  auto moe_block = [&](bool hash) {
    auto gate = make(kP + (hash ? "HashRouter" : "TopKRouter"));
    gate->param("weight", {experts, h});
    if (hash) gate->buffer("tid2eid", {vocab, top_k}, DType::I64);
    else gate->buffer("e_score_correction_bias", {experts}, DType::F32);
    auto b = make(kP + "SparseMoeBlock");
    b->add("gate", gate);
    b->add("experts", moe::experts(kP + "Experts", experts, h, inter, act));
    b->add("shared_experts", gated_mlp(kP + "MLP", h, inter, mlp_bias, act));
    return b;
  };

  std::map<std::pair<std::string, std::string>, ModulePtr> cache;
  std::vector<ModulePtr> stack;
  for (int64_t i = 0; i < n; ++i) {
    auto& l = cache[{types[i], mlp_types[i]}];
    if (!l) {
      l = make(kP + "DecoderLayer");
      l->add("self_attn", attention(types[i]));
      l->add("mlp", moe_block(mlp_types[i] == "hash_moe"));
      l->add("input_layernorm", rms(h));
      l->add("post_attention_layernorm", rms(h));
      l->add("attn_hc", hyper());
      l->add("ffn_hc", hyper());
    }
    stack.push_back(l);
  }
  auto head = make(kP + "HyperHead");
  head->add("input_norm", leaf(kP + "UnweightedRMSNorm"));
  head->param("hc_fn", {hc, hc * h});
  head->param("hc_base", {hc});
  head->param("hc_scale", {1});
  auto m = make(kP + "Model");
  m->add("embed_tokens", embedding(vocab, h));
  m->add("layers", module_list(stack));
  m->add("norm", rms(h));
  m->add("rotary_emb", rotary_tables(c, hd));
  m->add("hc_head", head);
  Model out = heads::base_or_causal_lm(cls, kP + "Model", kP + "ForCausalLM", m, h, vocab,
                                       c.b("tie_word_embeddings", false), {kP + "DecoderLayer"});
  out.to_checkpoint = moe::split_experts();
  return out;
}

MEMFIT_FAMILY({"deepseek_v4"}, "DeepseekV4", build);

}  // namespace
}  // namespace memfit
