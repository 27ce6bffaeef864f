// timm DLA (timm/models/dla.py): base_layer (7x7 conv, bn), level0/level1 conv levels, level2..5 DlaTrees (tree1,
// tree2, project, DlaRoot) of DlaBasic / DlaBottleneck / DlaBottle2neck blocks, then a 1x1-conv classifier. Levels,
// channels, block, cardinality, base_width and shortcut_root come from the generated definitions.
#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit::timm {
namespace MEMFIT_TU {
using namespace blocks;

struct Ctx {
  std::string block;
  int64_t cardinality, base_width;
};

ModulePtr dla_block(const Ctx& c, int64_t in, int64_t out, int64_t stride) {
  auto b = make(c.block);
  if (c.block == "DlaBasic") {
    b->add("conv1", conv2d(in, out, 3, false));
    b->add("bn1", batch_norm(out));
    b->add("relu", leaf("ReLU"));
    b->add("conv2", conv2d(out, out, 3, false));
    b->add("bn2", batch_norm(out));
    return b;
  }
  // mid_planes = int(floor(out * (base_width / 64)) * cardinality) // expansion (2)
  const int64_t mid = static_cast<int64_t>(std::floor(out * (c.base_width / 64.0))) * c.cardinality / 2;
  if (c.block == "DlaBottleneck") {
    b->add("conv1", conv2d(in, mid, 1, false));
    b->add("bn1", batch_norm(mid));
    b->add("conv2", conv2d(mid, mid, 3, false, c.cardinality));
    b->add("bn2", batch_norm(mid));
    b->add("conv3", conv2d(mid, out, 1, false));
    b->add("bn3", batch_norm(out));
    b->add("relu", leaf("ReLU"));
    return b;
  }
  const int64_t scale = 4, n = std::max<int64_t>(1, scale - 1);  // DlaBottle2neck(scale=4)
  b->add("conv1", conv2d(in, mid * scale, 1, false));
  b->add("bn1", batch_norm(mid * scale));
  b->add("convs", seq(n, [&](int64_t) { return conv2d(mid, mid, 3, false, c.cardinality); }, "ModuleList"));
  b->add("bns", seq(n, [&](int64_t) { return batch_norm(mid); }, "ModuleList"));
  if (stride > 1) b->add("pool", leaf("AvgPool2d"));
  b->add("conv3", conv2d(mid * scale, out, 1, false));
  b->add("bn3", batch_norm(out));
  b->add("relu", leaf("ReLU"));
  return b;
}

ModulePtr tree(const Ctx& c, int64_t levels, int64_t in, int64_t out, int64_t stride, bool level_root, int64_t root_dim) {
  if (root_dim == 0) root_dim = 2 * out;
  if (level_root) root_dim += in;
  auto t = make("DlaTree");
  t->add("downsample", leaf(stride > 1 ? "MaxPool2d" : "Identity"));
  t->add("project", leaf("Identity"));
  if (levels == 1) {
    t->add("tree1", dla_block(c, in, out, stride));
    t->add("tree2", dla_block(c, out, out, 1));
    if (in != out) {
      auto p = make("Sequential");
      p->add("0", conv2d(in, out, 1, false));
      p->add("1", batch_norm(out));
      t->children[1].second = p;  // replaces the Identity in place, as re-assigning a module attribute does
    }
    auto r = make("DlaRoot");
    r->add("conv", conv2d(root_dim, out, 1, false));
    r->add("bn", batch_norm(out));
    r->add("relu", leaf("ReLU"));
    t->add("root", r);
  } else {
    t->add("tree1", tree(c, levels - 1, in, out, stride, false, 0));
    t->add("tree2", tree(c, levels - 1, out, out, 1, false, root_dim + out));
  }
  return t;
}

ModulePtr conv_level(int64_t in, int64_t out, int64_t convs) {
  auto s = make("Sequential");
  for (int64_t i = 0; i < convs; ++i) {
    s->add(std::to_string(3 * i), conv2d(in, out, 3, false));
    s->add(std::to_string(3 * i + 1), batch_norm(out));
    s->add(std::to_string(3 * i + 2), leaf("ReLU"));
    in = out;
  }
  return s;
}

Model build(const Args& a) {
  const auto levels = a.ints("levels"), chs = a.ints("channels");
  if (levels.size() != 6 || chs.size() != 6) a.unsupported("levels / channels are not six entries");
  for (int64_t l : levels) checked(l, 0, 12, "levels");
  for (int64_t ch : chs) checked(ch, 1, 1 << 16, "channels");
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  Ctx c{a.layer("block"), checked(a.i("cardinality"), 1, 4096, "cardinality"), checked(a.i("base_width"), 1, 4096, "base_width")};
  if (c.block != "DlaBasic" && c.block != "DlaBottleneck" && c.block != "DlaBottle2neck") a.unsupported("block " + c.block);
  for (size_t i = 2; i < 6; ++i)
    if (levels[i] < 1) a.unsupported("a DlaTree level below 1");
  auto root = make("DLA");
  auto base = make("Sequential");
  base->add("0", conv2d(checked(a.i("in_chans"), 1, 4096, "in_chans"), chs[0], 7, false));
  base->add("1", batch_norm(chs[0]));
  base->add("2", leaf("ReLU"));
  root->add("base_layer", base);
  root->add("level0", conv_level(chs[0], chs[0], levels[0]));
  root->add("level1", conv_level(chs[0], chs[1], levels[1]));
  for (size_t i = 2; i < 6; ++i)
    root->add("level" + std::to_string(i), tree(c, levels[i], chs[i - 1], chs[i], 2, i > 2, 0));
  const int64_t classes = a.i("num_classes"), mult = a.s("global_pool") == "catavgmax" ? 2 : 1;
  root->add("global_pool", select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("fc", classes > 0 ? conv2d(chs[5] * mult, classes, 1) : leaf("Identity"));
  root->add("flatten", leaf(a.s("global_pool").empty() ? "Identity" : "Flatten"));
  return model(root);
}

MEMFIT_TIMM_CLASS({"DLA"}, build);

}  // namespace
}  // namespace memfit::timm
