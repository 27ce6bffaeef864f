// timm ByobNet's layer set (byobnet.py LayerFn) and per-block arguments, shared by the ByobNet builder (byobnet.cpp)
// and the block types other timm modules register on it (mobilevit.py's MobileVitBlock / MobileVitV2Block).
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "arch/registry.h"

namespace memfit::timm {
class Args;
}

namespace memfit::timm::byob {

// LayerFn: conv_norm_act / norm_act from the cfg's norm_layer ('batchnorm' or EvoNorm2dS0a), an optional
// anti-aliasing layer, and the channel / self attention a block gets (after the block cfg's overrides).
struct Layers {
  const Args* a = nullptr;
  bool evo = false;          // EvoNorm2dS0a (weight, bias, v) instead of BatchNormAct2d
  std::string aa;            // '' or 'avg' (an AvgPool2d after strided convs: no tensors)
  std::string attn, self_attn;
  Json attn_kwargs, self_attn_kwargs;

  ModulePtr norm_act(int64_t n, bool act = true) const;
  ModulePtr conv_norm_act(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t groups = 1,
                          bool act = true) const;
  // layers.attn(chs), or nullptr when the block has none.
  ModulePtr attn_module(int64_t chs) const;
};

// The keyword arguments create_byob_stages passes a block, plus the cfg's block_kwargs.
struct Block {
  int64_t in = 0, out = 0, stride = 1;
  int64_t group_size = 0;  // 0: None
  double bottle_ratio = 1.0;
  std::pair<int64_t, int64_t> dilation{1, 1};
  std::string downsample;
  Json kwargs = Json::object();
  std::optional<std::pair<int64_t, int64_t>> feat_size;  // self_attn blocks only

  // block_kwargs lookups; `known` lists every keyword the block accepts (others are refused, as timm would).
  void accept(const Args& a, std::initializer_list<std::string_view> known) const;
  bool flag(std::string_view k, bool def) const;
  double num(std::string_view k, double def) const;
};

// byobnet.py num_groups: 1 for no group size, else channels / group_size.
int64_t num_groups(const Args& a, int64_t group_size, int64_t chs);

using BlockFn = std::function<ModulePtr(const Layers&, const Block&)>;
// register_block(type, fn): a block type for ByoBlockCfg.type.
bool register_block(std::string type, BlockFn fn);
// The block registered for a type, or nullptr.
const BlockFn* find_block(std::string_view type);

}  // namespace memfit::timm::byob
