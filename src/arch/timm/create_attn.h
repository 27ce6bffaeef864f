// timm's attention layers by name (timm/layers/create_attn.py get_attn): channel attention ('se', 'ese', 'eca',
// 'gc', 'gca', 'bat') and the spatial self-attention layers of byoanet ('bottleneck', 'halo', 'lambda'), each built
// from its keyword arguments as partial(get_attn(name), **kwargs)(channels, ...) would build it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "arch/registry.h"

namespace memfit::timm {

class Args;

// A channel attention module over `chs` (SEModule, EffectiveSEModule, EcaModule, GlobalContext, BatNonLocalAttn);
// any other name or keyword is refused through `a`.
ModulePtr create_attn(const Args& a, const std::string& type, const Json& kwargs, int64_t chs);

// A self-attention layer (BottleneckAttn, HaloAttn, LambdaLayer) over `dim` channels. `feat_size` is the input's
// (H, W) where the layer needs it (bottleneck; lambda without `r`); nullopt where the model has no img_size.
ModulePtr create_self_attn(const Args& a, const std::string& type, const Json& kwargs, int64_t dim, int64_t stride,
                           std::optional<std::pair<int64_t, int64_t>> feat_size);

}  // namespace memfit::timm
