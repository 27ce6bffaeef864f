// timm's legacy Xception (timm/models/xception.py; the class fixes its layout): conv1/conv2 stem, block1..block12
// (skip conv + skipbn, rep of ReLU / SeparableConv2d (depthwise conv1, pointwise) / BatchNorm2d, max-pool when
// strided), conv3/conv4 separable convs, pool and fc.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr separable(int64_t in, int64_t out) {
  auto s = make("SeparableConv2d");
  s->add("conv1", conv2d(in, in, 3, false, in));
  s->add("pointwise", conv2d(in, out, 1, false));
  return s;
}

ModulePtr block(int64_t in, int64_t out, int64_t reps, int64_t stride, bool relu_first = true, bool grow_first = true) {
  auto b = make("Block");
  if (out != in || stride != 1) {
    b->add("skip", conv2d(in, out, 1, false));
    b->add("skipbn", batch_norm(out));
  }
  auto rep = make("Sequential");
  int idx = 0;
  for (int64_t i = 0; i < reps; ++i) {
    int64_t ic = grow_first ? (i == 0 ? in : out) : in;
    int64_t oc = grow_first ? out : (i < reps - 1 ? in : out);
    if (i > 0 || relu_first) rep->add(std::to_string(idx++), leaf("ReLU"));
    rep->add(std::to_string(idx++), separable(ic, oc));
    rep->add(std::to_string(idx++), batch_norm(oc));
  }
  if (stride != 1) rep->add(std::to_string(idx++), leaf("MaxPool2d"));
  b->add("rep", rep);
  return b;
}

Model build(const timm::Args& a) {
  auto root = make("Xception");
  root->add("conv1", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), 32, 3, false));
  root->add("bn1", batch_norm(32));
  root->add("act1", leaf("ReLU"));
  root->add("conv2", conv2d(32, 64, 3, false));
  root->add("bn2", batch_norm(64));
  root->add("act2", leaf("ReLU"));
  root->add("block1", block(64, 128, 2, 2, false));
  root->add("block2", block(128, 256, 2, 2));
  root->add("block3", block(256, 728, 2, 2));
  auto mid = block(728, 728, 3, 1);
  for (int i = 4; i <= 11; ++i) root->add("block" + std::to_string(i), mid);
  root->add("block12", block(728, 1024, 2, 2, true, false));
  root->add("conv3", separable(1024, 1536));
  root->add("bn3", batch_norm(1536));
  root->add("act3", leaf("ReLU"));
  root->add("conv4", separable(1536, 2048));
  root->add("bn4", batch_norm(2048));
  root->add("act4", leaf("ReLU"));
  root->add("global_pool", timm::select_pool());
  root->add("fc", timm::fc_or_identity(2048, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Xception"}, build);

}  // namespace
}  // namespace memfit
