// Mamba-2: transformers' modeling_mamba2.py. Mamba2Model = embeddings, layers of Mamba2Block (norm + Mamba2Mixer:
// SSD with multi-head dt/A/D and a gated RMS norm), norm_f; Mamba2ForCausalLM adds lm_head (untied by default).
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr mamba2_model(const Config& c) {
  int64_t h = moe::count(c, {"hidden_size"}, 4096), layers = moe::count(c, {"num_hidden_layers"}, 64);
  ssm::Mamba2Shape ms;
  ms.hidden = h;
  ms.inter = moe::count(c, {"expand"}, 2) * h;
  ms.heads = moe::count(c, {"num_heads"}, 128);
  ms.groups = moe::count(c, {"n_groups"}, 8);
  ms.state = moe::count(c, {"state_size"}, 128);
  ms.conv_kernel = moe::count(c, {"conv_kernel"}, 4);
  ms.conv_bias = c.b("use_conv_bias", true);
  ms.proj_bias = ms.out_bias = c.b("use_bias", false);
  ms.act_cls = act_class(c.s("hidden_act", "silu"));
  ms.norm_cls = "MambaRMSNormGated";
  auto block = make("Mamba2Block");
  block->add("norm", rms_norm("Mamba2RMSNorm", h));
  block->add("mixer", ssm::mamba2_mixer("Mamba2Mixer", ms));
  auto m = make("Mamba2Model");
  m->add("embeddings", embedding(moe::count(c, {"vocab_size"}, 32768), h));
  m->add("layers", repeat(block, layers));
  m->add("norm_f", rms_norm("Mamba2RMSNorm", h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"Mamba2Block"};
  if (cls == "Mamba2Model") return {mamba2_model(c), no_split};
  if (cls != "Mamba2ForCausalLM") heads::unsupported(cls);
  auto root = make("Mamba2ForCausalLM");
  root->add("backbone", mamba2_model(c));
  root->add("lm_head", heads::lm_head(c.i("hidden_size", 4096), c.i("vocab_size", 32768),
                                      heads::ties_embeddings(c, false), "backbone.embeddings.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"mamba2"}, "Mamba2", build);

}  // namespace
}  // namespace memfit
