// Nemotron-H: transformers' modeling_nemotron_h.py. NemotronHModel = embeddings, layers of NemotronHBlock (norm +
// one mixer chosen by layers_block_type: a Mamba-2 mixer for "linear_attention", q/k/v/o attention without rotary
// module for "full_attention", a non-gated up/down MLP for "mlp", or a sigmoid-routed MoE of non-gated fused experts
// with a shared MLP for "moe"), norm_f. The layer list comes from layers_block_type (alias layer_types), else the
// legacy hybrid_override_pattern string (M = Mamba, * = attention, - = MLP, E = MoE), else the class default
// [linear_attention, moe, full_attention, mlp]. NemotronHForCausalLM adds lm_head, never tied (_tied_weights_keys is
// empty). Checkpoints name the body `backbone.` and keep one up_proj / down_proj per expert.
#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// NemotronHMLP: up_proj, down_proj, act_fn (relu2 by default).
ModulePtr plain_mlp(int64_t hidden, int64_t inter, bool bias, const std::string& act_cls) {
  auto m = make("NemotronHMLP");
  m->add("up_proj", linear(hidden, inter, bias));
  m->add("down_proj", linear(inter, hidden, bias));
  m->add("act_fn", leaf(act_cls));
  return m;
}

// The block types, in order: from layers_block_type / layer_types (legacy "mamba" / "attention" remapped), else the
// hybrid_override_pattern characters, else the class default.
std::vector<std::string> block_types(const Config& c) {
  auto types = c.strings("layers_block_type");
  if (types.empty()) types = c.strings("layer_types");
  if (types.empty() && c.has("hybrid_override_pattern")) {
    for (char ch : c.s("hybrid_override_pattern", "")) {
      switch (ch) {
        case 'M': types.push_back("linear_attention"); break;
        case '*': types.push_back("full_attention"); break;
        case '-': types.push_back("mlp"); break;
        case 'E': types.push_back("moe"); break;
        default: throw ConfigError(fmt::format("nemotron_h: hybrid_override_pattern has `{}`; transformers maps only "
                                               "M, *, - and E", ch));
      }
    }
  }
  if (types.empty()) types = {"linear_attention", "moe", "full_attention", "mlp"};
  for (auto& t : types) {
    if (t == "mamba") t = "linear_attention";
    if (t == "attention") t = "full_attention";
    if (t != "linear_attention" && t != "full_attention" && t != "mlp" && t != "moe")
      throw ConfigError(fmt::format("nemotron_h: layers_block_type contains `{}`; transformers accepts only "
                                    "full_attention, linear_attention, moe and mlp",
                                    t));
  }
  checked_count(static_cast<int64_t>(types.size()));
  return types;
}

ModulePtr nemotron_h_model(const Config& c) {
  int64_t h = moe::count(c, {"hidden_size"}, 4096), vocab = moe::count(c, {"vocab_size"}, 131072);
  std::string mlp_act = act_class(c.s("mlp_hidden_act", "relu2"));
  bool mlp_bias = c.b("mlp_bias", false);
  auto block = [&](ModulePtr mixer) {
    auto b = make("NemotronHBlock");
    b->add("norm", rms_norm("NemotronHRMSNorm", h));
    b->add("mixer", std::move(mixer));
    return b;
  };

  // linear_attention: NemotronHMamba2Mixer, intermediate = mamba_num_heads * mamba_head_dim (expand is not read).
  ssm::Mamba2Shape ms;
  ms.hidden = h;
  ms.heads = moe::count(c, {"mamba_num_heads"}, 128);
  ms.inter = ms.heads * moe::count(c, {"mamba_head_dim"}, 64);
  ms.groups = moe::count(c, {"mamba_n_groups", "n_groups"}, 8);
  ms.state = moe::count(c, {"ssm_state_size"}, 128);
  ms.conv_kernel = moe::count(c, {"mamba_d_conv", "conv_kernel"}, 4);
  ms.conv_bias = c.b(c.has("mamba_conv_bias") ? "mamba_conv_bias" : "use_conv_bias", true);
  ms.proj_bias = ms.out_bias = c.b("use_bias", false);
  ms.act_cls = act_class(c.s("mamba_hidden_act", "silu"));
  ms.norm_cls = "Zamba2RMSNormGated";
  auto mamba = block(ssm::mamba2_mixer("NemotronHMamba2Mixer", ms));

  // full_attention: no bias on any projection (attention_bias is not read); heads of head_dim.
  AttnShape as;
  as.hidden = h;
  as.heads = moe::count(c, {"num_attention_heads"}, 32);
  as.kv_heads = moe::count(c, {"num_key_value_heads", "num_attention_heads"}, 8);
  as.head_dim = moe::count(c, {"head_dim"}, 128);
  auto attention = block(qkvo_attention("NemotronHAttention", as));

  auto dense = block(plain_mlp(h, moe::count(c, {"intermediate_size"}, 21504), mlp_bias, mlp_act));

  // moe: experts (up_proj [E, I, in], down_proj [E, in, I], in = moe_latent_size or hidden), gate (sigmoid router
  // with e_score_correction_bias), shared_experts (an MLP of moe_shared_expert_intermediate_size), and the latent
  // projections (Identity without moe_latent_size).
  int64_t experts_n = moe::experts_count(c, {"n_routed_experts", "num_local_experts"}, 8);
  int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 7688);
  int64_t latent = c.has("moe_latent_size") ? moe::count(c, {"moe_latent_size"}, h) : 0;
  int64_t in = latent > 0 ? latent : h;
  auto experts = make("NemotronHExperts");
  experts->param("up_proj", {experts_n, moe_inter, in});
  experts->param("down_proj", {experts_n, in, moe_inter});
  experts->add("act_fn", leaf(mlp_act));
  auto moe_block = make("NemotronHMoE");
  moe_block->add("experts", experts);
  moe_block->add("gate", moe::router("NemotronHTopkRouter", experts_n, h, true));
  moe_block->add("shared_experts",
                 plain_mlp(h, moe::count(c, {"moe_shared_expert_intermediate_size"}, 7688), mlp_bias, mlp_act));
  moe_block->add("fc1_latent_proj", latent > 0 ? linear(h, latent, mlp_bias) : leaf("Identity"));
  moe_block->add("fc2_latent_proj", latent > 0 ? linear(latent, h, mlp_bias) : leaf("Identity"));
  auto sparse = block(moe_block);

  std::vector<ModulePtr> layers;
  for (const auto& t : block_types(c))
    layers.push_back(t == "linear_attention" ? mamba : t == "full_attention" ? attention : t == "mlp" ? dense : sparse);
  auto m = make("NemotronHModel");
  m->add("embeddings", embedding(vocab, h));
  m->add("layers", module_list(std::move(layers)));
  m->add("norm_f", rms_norm("NemotronHRMSNorm", h));
  return m;
}

// Saved names, the conversion mapping's renamings reverted as save_pretrained does: `model.` -> `backbone.`,
// `embeddings.weight` -> `embedding.weight`; fused experts -> one `experts.<e>.up_proj.weight` [I, in] and
// `experts.<e>.down_proj.weight` [in, I] per expert.
std::vector<CheckpointTensor> checkpoint_names(const std::string& name, const Tensor& t) {
  std::string n = name.starts_with("model.") ? "backbone." + name.substr(6) : name;
  if (n.ends_with("embeddings.weight")) n.replace(n.size() - 17, 17, "embedding.weight");
  for (std::string_view part : {"up_proj", "down_proj"}) {
    std::string suffix = fmt::format("mixer.experts.{}", part);
    if (t.shape.size() != 3 || !n.ends_with(suffix)) continue;
    std::vector<CheckpointTensor> out;
    std::string prefix = n.substr(0, n.size() - part.size());
    for (int64_t e = 0; e < t.shape[0]; ++e)
      out.push_back({fmt::format("{}{}.{}.weight", prefix, e, part), {t.shape[1], t.shape[2]}, t.dtype});
    return out;
  }
  return {{n, t.shape, t.dtype}};
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"NemotronHBlock"};
  Model m;
  if (cls == "NemotronHModel") {
    m = {nemotron_h_model(c), no_split};
  } else if (cls == "NemotronHForCausalLM") {
    auto root = make("NemotronHForCausalLM");
    root->add("model", nemotron_h_model(c));
    root->add("lm_head", linear(moe::count(c, {"hidden_size"}, 4096), moe::count(c, {"vocab_size"}, 131072), false));
    m = {root, no_split};
  } else {
    heads::unsupported(cls);
  }
  m.to_checkpoint = checkpoint_names;
  return m;
}

MEMFIT_FAMILY({"nemotron_h"}, "NemotronH", build);

}  // namespace
}  // namespace memfit
