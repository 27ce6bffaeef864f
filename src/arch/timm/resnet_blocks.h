// The ResNet class's options and its block variants beyond BasicBlock / Bottleneck (timm/models/res2net.py,
// resnest.py, sknet.py), shared by src/arch/timm/resnet.cpp and resnet_blocks.cpp.
#pragma once
#include <string>

#include "arch/registry.h"

namespace memfit::timm {
class Args;
}

namespace memfit::timm::resnet {

// What make_blocks hands every block: ResNet's arguments plus its block_args.
struct Opts {
  int64_t cardinality, base_width, reduce_first, down_kernel;
  bool avg_down;
  std::string aa;    // anti-aliasing layer: "", "avg" (nn.AvgPool2d) or "blur" (BlurPool2d)
  std::string norm;  // "" (BatchNorm2d) or "groupnorm"
  std::string attn;  // "", "se" or "eca"
  double attn_ratio;
  Json block_args;   // what the variant blocks read (scale, radix / avd, sk_kwargs)
};

// norm_layer over `chs`.
ModulePtr norm(const Opts& o, int64_t chs);
// create_aa(aa_layer, chs, stride): AvgPool2d / BlurPool2d when strided, else Identity.
ModulePtr aa(const Opts& o, int64_t chs, bool stride2);
// The block of timm class `fn` (Bottle2neck, ResNestBottleneck, SelectiveKernelBasic, SelectiveKernelBottleneck)
// from `in` to `planes` * expansion channels; `down` is its downsample Sequential or nullptr.
ModulePtr variant_block(const Args& a, const Opts& o, const std::string& fn, int64_t in, int64_t planes, bool stride2,
                        ModulePtr down);
// Block-class expansion (1 for the basic blocks, 4 for bottlenecks).
int64_t expansion(const std::string& fn);

}  // namespace memfit::timm::resnet
