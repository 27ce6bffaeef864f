#include "arch/timm/efficientformer_parts.h"

#include <string>

#include "arch/timm/layers.h"

namespace memfit::timm {
using namespace blocks;

ModulePtr conv_bn_relu_stem(int64_t in, int64_t out, bool named) {
  auto s = make(named ? "Stem4" : "Sequential");
  int i = 0;
  auto put = [&](const char* name, ModulePtr m) {
    s->add(named ? std::string(name) : std::to_string(i++), std::move(m));
  };
  put("conv1", conv2d(in, out / 2, 3));
  put("norm1", batch_norm(out / 2));
  put("act1", leaf("ReLU"));
  put("conv2", conv2d(out / 2, out, 3));
  put("norm2", batch_norm(out));
  put("act2", leaf("ReLU"));
  return s;
}

void add_distilled_heads(Module& root, int64_t in, int64_t classes, bool dist) {
  root.add("head_drop", leaf("Dropout"));
  root.add("head", fc_or_identity(in, classes));
  if (dist) root.add("head_dist", fc_or_identity(in, classes));
}

}  // namespace memfit::timm
