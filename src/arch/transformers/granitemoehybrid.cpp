// Granite 4 (GraniteMoeHybrid): transformers' modeling_granitemoehybrid.py. Each layer holds two RMSNorms, a sparse
// block_sparse_moe (router + fused experts; absent when num_local_experts is 0), a shared_mlp (input_linear
// [2 * shared_intermediate, hidden], output_linear) and either a Mamba-2 mixer or attention, by layer_types. Rotary
// embeddings only when position_embedding_type is "rope". Checkpoints keep Granite MoE's legacy expert tensors.
#include "arch/transformers/bamba.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/rename.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr granite_hybrid_model(const Config& c, const DecoderSpec& s) {
  ssm::Mamba2Shape ms = bamba_mixer_shape(c, s, "GraniteMoeHybridRMSNormGated");
  int64_t experts = moe::experts_count(c, {"num_local_experts"}, 8);
  int64_t shared = moe::count(c, {"shared_intermediate_size"}, 1024);

  auto layer = [&](bool attention) {
    auto l = make("GraniteMoeHybridDecoderLayer");
    l->add("input_layernorm", rms_norm("GraniteMoeHybridRMSNorm", s.hidden));
    l->add("post_attention_layernorm", rms_norm("GraniteMoeHybridRMSNorm", s.hidden));
    if (experts > 0) {
      auto block = make("GraniteMoeHybridMoE");
      block->add("router", moe::router("GraniteMoeHybridTopKRouter", experts, s.hidden));
      block->add("experts", moe::experts("GraniteMoeHybridExperts", experts, s.hidden, s.inter, act_class(s.act)));
      l->add("block_sparse_moe", block);
    }
    auto mlp = make("GraniteMoeHybridMLP");
    mlp->add("activation", leaf(act_class(s.act)));
    mlp->add("input_linear", linear(s.hidden, 2 * shared, false));
    mlp->add("output_linear", linear(shared, s.hidden, false));
    l->add("shared_mlp", mlp);
    if (attention)
      l->add("self_attn", decoder_attention(s));
    else
      l->add("mamba", ssm::mamba2_mixer("GraniteMoeHybridMambaLayer", ms));
    return l;
  };
  auto mamba = layer(false), attn = layer(true);
  auto types = c.strings("layer_types");
  if (types.empty()) types = c.strings("layers_block_type");
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < checked_count(s.layers); ++i)
    layers.push_back(i < static_cast<int64_t>(types.size()) && types[i] == "linear_attention" ? mamba : attn);

  auto m = make("GraniteMoeHybridModel");
  m->add("embed_tokens", embedding(s.vocab, s.hidden));
  m->add("layers", module_list(std::move(layers)));
  m->add("norm", rms_norm("GraniteMoeHybridRMSNorm", s.hidden));
  if (c.s("position_embedding_type", "") == "rope")
    m->add("rotary_emb", rotary("GraniteMoeHybridRotaryEmbedding", moe::rotary_dim(c, s.head_dim)));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "GraniteMoeHybrid");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  Model m = heads::base_or_causal_lm(cls, "GraniteMoeHybridModel", "GraniteMoeHybridForCausalLM",
                                     granite_hybrid_model(c, s), s.hidden, s.vocab, s.tie_embeddings,
                                     {"GraniteMoeHybridDecoderLayer"});
  m.to_checkpoint = rename_mapping({
      {R"(block_sparse_moe\.experts\.gate_up_proj$)", "block_sparse_moe.input_linear.weight"},
      {R"(block_sparse_moe\.experts\.down_proj$)", "block_sparse_moe.output_linear.weight"},
      {R"(block_sparse_moe\.router\.weight$)", "block_sparse_moe.router.layer.weight"},
  });
  return m;
}

MEMFIT_FAMILY({"granitemoehybrid"}, "GraniteMoeHybrid", build);

}  // namespace
}  // namespace memfit
