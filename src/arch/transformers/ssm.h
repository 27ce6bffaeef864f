// State-space and linear-attention mixers shared by the hybrid families (Mamba, Jamba, Qwen3-Next, Qwen3.5...).
#pragma once
#include <cstdint>
#include <string>

#include "tree/module.h"

namespace memfit::ssm {

// nn.Conv1d(ch, ch, kernel, groups=ch): weight [ch, 1, kernel], bias [ch].
ModulePtr depthwise_conv1d(int64_t channels, int64_t kernel, bool bias);

// Mamba-1 selective-scan mixer (MambaMixer layout): conv1d, act, in_proj, x_proj, dt_proj, A_log, D, out_proj;
// with `norm_cls` set, Jamba's dt_layernorm, b_layernorm and c_layernorm follow.
struct MambaShape {
  int64_t hidden = 0, inter = 0, state = 0, conv_kernel = 0, dt_rank = 0;
  bool conv_bias = true, proj_bias = false;
  std::string act_cls = "SiLUActivation";
  std::string norm_cls;  // "" for none
};
ModulePtr mamba_mixer(const std::string& cls, const MambaShape& m);

// Mamba-2 SSD mixer (Mamba2Mixer / FalconH1Mixer layout): act, conv1d over x/B/C, in_proj (z, xBC, dt), dt_bias,
// A_log, norm (a gated RMS norm of class `norm_cls`, or Identity when empty), D, out_proj.
struct Mamba2Shape {
  int64_t hidden = 0, inter = 0, heads = 0, groups = 1, state = 0, conv_kernel = 4;
  bool conv_bias = true, proj_bias = false, out_bias = false;
  std::string act_cls = "SiLUActivation";
  std::string norm_cls;  // "" for nn.Identity
};
ModulePtr mamba2_mixer(const std::string& cls, const Mamba2Shape& m);

// Gated DeltaNet linear attention (Qwen3NextGatedDeltaNet): conv1d over q/k/v, dt_bias, A_log, a gated RMS norm
// (`prefix`RMSNormGated) and out_proj. Qwen3-Next fuses the input projections (in_proj_qkvz, in_proj_ba); Qwen3.5
// splits them (in_proj_qkv, in_proj_z, in_proj_b, in_proj_a, registered last).
struct DeltaNetShape {
  int64_t hidden = 0, k_heads = 0, v_heads = 0, k_dim = 0, v_dim = 0, conv_kernel = 4;
  bool split_proj = false;
};
ModulePtr gated_deltanet(const std::string& prefix, const DeltaNetShape& d);

}  // namespace memfit::ssm
