// Mamba: transformers' modeling_mamba.py. MambaModel = embeddings, layers of MambaBlock (norm + MambaMixer selective
// scan), norm_f; MambaForCausalLM adds an lm_head tied to the embeddings by default.
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr mamba_model(const Config& c) {
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
  auto block = make("MambaBlock");
  block->add("norm", rms_norm("MambaRMSNorm", h));
  block->add("mixer", ssm::mamba_mixer("MambaMixer", ms));
  auto m = make("MambaModel");
  m->add("embeddings", embedding(moe::count(c, {"vocab_size"}, 50280), h));
  m->add("layers", repeat(block, layers));
  m->add("norm_f", rms_norm("MambaRMSNorm", h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"MambaBlock", "MambaMixer"};
  if (cls == "MambaModel") return {mamba_model(c), no_split};
  if (cls != "MambaForCausalLM") heads::unsupported(cls);
  auto root = make("MambaForCausalLM");
  root->add("backbone", mamba_model(c));
  root->add("lm_head", heads::lm_head(c.i("hidden_size", 768), c.i("vocab_size", 50280), heads::ties_embeddings(c, true),
                                      "backbone.embeddings.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"mamba"}, "Mamba", build);

}  // namespace
}  // namespace memfit
