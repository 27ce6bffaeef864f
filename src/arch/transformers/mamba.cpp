// Mamba: transformers' modeling_mamba.py. MambaModel = embeddings, layers of MambaBlock (norm + MambaMixer selective
// scan), norm_f; MambaForCausalLM adds an lm_head tied to the embeddings by default.
// FalconMamba (modeling_falcon_mamba.py): the same tree under its prefix, each mixer ending with three weightless
// RMS norms (dt_layernorm [intermediate_size], b_layernorm and c_layernorm [state_size]) whose `weight` is a
// non-persistent buffer of ones.
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr weightless_norm(const std::string& cls, int64_t dim) {
  auto m = make(cls);
  m->buffer("weight", {dim}, DType::F32, false);
  return m;
}

ModulePtr mamba_model(const Config& c, const std::string& p) {
  int64_t h = moe::count(c, {"hidden_size"}, 768), layers = moe::count(c, {"num_hidden_layers"}, 32);
  ssm::MambaShape ms;
  ms.hidden = h;
  ms.inter = moe::count(c, {"expand"}, 2) * h;  // the config class always derives intermediate_size
  ms.state = moe::count(c, {"state_size"}, 16);
  ms.conv_kernel = moe::count(c, {"conv_kernel"}, 4);
  const Json& raw = c.raw();
  bool auto_rank = !raw.contains("time_step_rank") || !raw["time_step_rank"].is_number();
  ms.dt_rank = auto_rank ? (h + 15) / 16 : moe::count(c, {"time_step_rank"}, 1);
  ms.conv_bias = c.b("use_conv_bias", true);
  ms.proj_bias = c.b("use_bias", false);
  ms.act_cls = act_class(c.s("hidden_act", "silu"));
  auto mixer = ssm::mamba_mixer(p + "Mixer", ms);
  if (p == "FalconMamba") {
    mixer->add("dt_layernorm", weightless_norm("FalconMambaWeightlessRMSNorm", ms.inter));
    mixer->add("b_layernorm", weightless_norm("FalconMambaWeightlessRMSNorm", ms.state));
    mixer->add("c_layernorm", weightless_norm("FalconMambaWeightlessRMSNorm", ms.state));
  }
  auto block = make(p + "Block");
  block->add("norm", rms_norm(p + "RMSNorm", h));
  block->add("mixer", mixer);
  auto m = make(p + "Model");
  m->add("embeddings", embedding(moe::count(c, {"vocab_size"}, 50280), h));
  m->add("layers", repeat(block, layers));
  m->add("norm_f", rms_norm(p + "RMSNorm", h));
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& p) {
  std::vector<std::string> no_split{p + "Block", p + "Mixer"};
  if (cls == p + "Model") return {mamba_model(c, p), no_split};
  if (cls != p + "ForCausalLM") heads::unsupported(cls);
  auto root = make(p + "ForCausalLM");
  root->add("backbone", mamba_model(c, p));
  root->add("lm_head", heads::lm_head(c.i("hidden_size", 768), c.i("vocab_size", 50280), heads::ties_embeddings(c, true),
                                      "backbone.embeddings.weight"));
  return {root, no_split};
}

// AutoModelForPreTraining maps both to their ForCausalLM: the task model of a config without `architectures`.
MEMFIT_FAMILY({"mamba"}, "Mamba", [](const Config& c, std::string_view cls) { return build(c, cls, "Mamba"); }, "",
              "MambaForCausalLM");
MEMFIT_FAMILY({"falcon_mamba"}, "FalconMamba",
              [](const Config& c, std::string_view cls) { return build(c, cls, "FalconMamba"); }, "",
              "FalconMambaForCausalLM");

}  // namespace
}  // namespace memfit
