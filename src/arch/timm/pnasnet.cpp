// timm PNASNet5Large (timm/models/pnasnet.py; the class fixes its layout): ConvNormAct conv_0, CellStem0, twelve Cells
// of BranchSeparables (act, separable depthwise + pointwise, BatchNorm twice), ActConvBn 1x1s and FactorizedReduction,
// then act, pool, dropout and last_linear.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr separable(int64_t in, int64_t out, int64_t k) {
  auto s = make("SeparableConv2d");
  s->add("depthwise_conv2d", conv2d(in, in, k, false, in));
  s->add("pointwise_conv2d", conv2d(in, out, 1, false));
  return s;
}

ModulePtr branch(int64_t in, int64_t out, int64_t k, bool stem_cell = false) {
  int64_t mid = stem_cell ? out : in;
  auto b = make("BranchSeparables");
  b->add("act_1", leaf("ReLU"));
  b->add("separable_1", separable(in, mid, k));
  b->add("bn_sep_1", batch_norm(mid));
  b->add("act_2", leaf("ReLU"));
  b->add("separable_2", separable(mid, out, k));
  b->add("bn_sep_2", batch_norm(out));
  return b;
}

ModulePtr act_conv_bn(int64_t in, int64_t out) {
  auto m = make("ActConvBn");
  m->add("act", leaf("ReLU"));
  m->add("conv", conv2d(in, out, 1, false));
  m->add("bn", batch_norm(out));
  return m;
}

ModulePtr factorized_reduction(int64_t in, int64_t out) {
  auto m = make("FactorizedReduction");
  m->add("act", leaf("ReLU"));
  auto p1 = make("Sequential");
  p1->add("avgpool", leaf("AvgPool2d"));
  p1->add("conv", conv2d(in, out / 2, 1, false));
  m->add("path_1", p1);
  auto p2 = make("Sequential");
  p2->add("pad", leaf("ZeroPad2d"));
  p2->add("avgpool", leaf("AvgPool2d"));
  p2->add("conv", conv2d(in, out / 2, 1, false));
  m->add("path_2", p2);
  m->add("final_path_bn", batch_norm(out));
  return m;
}

// The comb_iter_1..3 branches both cell types share, over the right input's width.
void comb_iters_1_to_3(Module& c, int64_t out_r) {
  c.add("comb_iter_1_left", branch(out_r, out_r, 7));
  c.add("comb_iter_1_right", leaf("MaxPool2d"));
  c.add("comb_iter_2_left", branch(out_r, out_r, 5));
  c.add("comb_iter_2_right", branch(out_r, out_r, 3));
  c.add("comb_iter_3_left", branch(out_r, out_r, 3));
  c.add("comb_iter_3_right", leaf("MaxPool2d"));
}

ModulePtr cell_stem0(int64_t in_l, int64_t out_l, int64_t in_r, int64_t out_r) {
  auto c = make("CellStem0");
  c->add("conv_1x1", act_conv_bn(in_r, out_r));
  c->add("comb_iter_0_left", branch(in_l, out_l, 5, true));
  auto r0 = make("Sequential");
  r0->add("max_pool", leaf("MaxPool2d"));
  r0->add("conv", conv2d(in_l, out_l, 1, false));
  r0->add("bn", batch_norm(out_l));
  c->add("comb_iter_0_right", r0);
  comb_iters_1_to_3(*c, out_r);
  c->add("comb_iter_4_left", branch(in_r, out_r, 3, true));
  c->add("comb_iter_4_right", act_conv_bn(out_r, out_r));
  return c;
}

ModulePtr cell(int64_t in_l, int64_t out_l, int64_t in_r, int64_t out_r, bool reduction, bool match_prev) {
  auto c = make("Cell");
  c->add("conv_prev_1x1", match_prev ? factorized_reduction(in_l, out_l) : act_conv_bn(in_l, out_l));
  c->add("conv_1x1", act_conv_bn(in_r, out_r));
  c->add("comb_iter_0_left", branch(out_l, out_l, 5));
  c->add("comb_iter_0_right", leaf("MaxPool2d"));
  comb_iters_1_to_3(*c, out_r);
  c->add("comb_iter_4_left", branch(out_l, out_l, 3));
  if (reduction) c->add("comb_iter_4_right", act_conv_bn(out_r, out_r));
  return c;
}

Model build(const timm::Args& a) {
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  auto root = make("PNASNet5Large");
  auto c0 = make("ConvNormAct");
  c0->add("conv", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), 96, 3, false));
  c0->add("bn", timm::bn_act(96));
  root->add("conv_0", c0);
  root->add("cell_stem_0", cell_stem0(96, 54, 96, 54));
  root->add("cell_stem_1", cell(96, 108, 270, 108, true, true));
  // (in_left, out, in_right, reduction, match_prev) of cell_0..cell_11
  struct C { int64_t in_l, out, in_r; bool red, match; };
  const C cells[] = {{270, 216, 540, false, true},     {540, 216, 1080, false, false},  {1080, 216, 1080, false, false},
                     {1080, 216, 1080, false, false},  {1080, 432, 1080, true, false},  {1080, 432, 2160, false, true},
                     {2160, 432, 2160, false, false},  {2160, 432, 2160, false, false}, {2160, 864, 2160, true, false},
                     {2160, 864, 4320, false, true},   {4320, 864, 4320, false, false}, {4320, 864, 4320, false, false}};
  for (size_t i = 0; i < std::size(cells); ++i) {
    const C& c = cells[i];
    root->add("cell_" + std::to_string(i), cell(c.in_l, c.out, c.in_r, c.out, c.red, c.match));
  }
  root->add("act", leaf("ReLU"));
  root->add("global_pool", timm::select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("last_linear", timm::fc_or_identity(4320, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"PNASNet5Large"}, build);

}  // namespace
}  // namespace memfit
