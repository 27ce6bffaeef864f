#include "arch/transformers/ssm.h"

#include "arch/blocks.h"

namespace memfit::ssm {
using namespace blocks;

ModulePtr depthwise_conv1d(int64_t channels, int64_t kernel, bool bias) {
  auto m = make("Conv1d");
  m->param("weight", {channels, 1, kernel});
  if (bias) m->param("bias", {channels});
  return m;
}

ModulePtr mamba_mixer(const std::string& cls, const MambaShape& m) {
  auto x = make(cls);
  x->add("conv1d", depthwise_conv1d(m.inter, m.conv_kernel, m.conv_bias));
  x->add("act", leaf(m.act_cls));
  x->add("in_proj", linear(m.hidden, 2 * m.inter, m.proj_bias));
  x->add("x_proj", linear(m.inter, m.dt_rank + 2 * m.state, false));
  x->add("dt_proj", linear(m.dt_rank, m.inter, true));
  x->param("A_log", {m.inter, m.state});
  x->param("D", {m.inter});
  x->add("out_proj", linear(m.inter, m.hidden, m.proj_bias));
  if (!m.norm_cls.empty()) {
    x->add("dt_layernorm", rms_norm(m.norm_cls, m.dt_rank));
    x->add("b_layernorm", rms_norm(m.norm_cls, m.state));
    x->add("c_layernorm", rms_norm(m.norm_cls, m.state));
  }
  return x;
}

ModulePtr mamba2_mixer(const std::string& cls, const Mamba2Shape& m) {
  int64_t conv_dim = m.inter + 2 * m.groups * m.state;
  auto x = make(cls);
  x->add("act", leaf(m.act_cls));
  x->add("conv1d", depthwise_conv1d(conv_dim, m.conv_kernel, m.conv_bias));
  x->add("in_proj", linear(m.hidden, m.inter + conv_dim + m.heads, m.proj_bias));
  x->param("dt_bias", {m.heads});
  x->param("A_log", {m.heads});
  x->add("norm", m.norm_cls.empty() ? leaf("Identity") : rms_norm(m.norm_cls, m.inter));
  x->param("D", {m.heads});
  x->add("out_proj", linear(m.inter, m.hidden, m.out_bias));
  return x;
}

ModulePtr gated_deltanet(const std::string& prefix, const DeltaNetShape& d) {
  int64_t key = d.k_heads * d.k_dim, value = d.v_heads * d.v_dim;
  auto m = make(prefix + "GatedDeltaNet");
  m->add("conv1d", depthwise_conv1d(2 * key + value, d.conv_kernel, false));
  if (!d.split_proj) {
    m->add("in_proj_qkvz", linear(d.hidden, 2 * key + 2 * value, false));
    m->add("in_proj_ba", linear(d.hidden, 2 * d.v_heads, false));
  }
  m->param("dt_bias", {d.v_heads});
  m->param("A_log", {d.v_heads});
  m->add("norm", rms_norm(prefix + "RMSNormGated", d.v_dim));
  m->add("out_proj", linear(value, d.hidden, false));
  if (d.split_proj) {
    m->add("in_proj_qkv", linear(d.hidden, 2 * key + value, false));
    m->add("in_proj_z", linear(d.hidden, value, false));
    m->add("in_proj_b", linear(d.hidden, d.v_heads, false));
    m->add("in_proj_a", linear(d.hidden, d.v_heads, false));
  }
  return m;
}

}  // namespace memfit::ssm
