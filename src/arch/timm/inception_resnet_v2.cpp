// timm InceptionResnetV2 (timm/models/inception_resnet_v2.py; the class fixes its layout): ConvNormAct stem, Mixed_5b,
// 10 Block35, Mixed_6a, 20 Block17, Mixed_7a, 9 Block8 + a final Block8 without ReLU, conv2d_7b, pool / dropout / classif.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr cna(int64_t in, int64_t out, int64_t kh, int64_t kw = 0) { return timm::conv_norm_act_hw(in, out, kh, kw ? kw : kh); }

ModulePtr seq(std::vector<ModulePtr> ms) {
  auto s = make("Sequential");
  for (size_t i = 0; i < ms.size(); ++i) s->add(std::to_string(i), ms[i]);
  return s;
}

ModulePtr block35() {
  auto b = make("Block35");
  b->add("branch0", cna(320, 32, 1));
  b->add("branch1", seq({cna(320, 32, 1), cna(32, 32, 3)}));
  b->add("branch2", seq({cna(320, 32, 1), cna(32, 48, 3), cna(48, 64, 3)}));
  b->add("conv2d", conv2d(128, 320, 1));
  b->add("act", leaf("ReLU"));
  return b;
}

ModulePtr block17() {
  auto b = make("Block17");
  b->add("branch0", cna(1088, 192, 1));
  b->add("branch1", seq({cna(1088, 128, 1), cna(128, 160, 1, 7), cna(160, 192, 7, 1)}));
  b->add("conv2d", conv2d(384, 1088, 1));
  b->add("act", leaf("ReLU"));
  return b;
}

ModulePtr block8(bool relu) {
  auto b = make("Block8");
  b->add("branch0", cna(2080, 192, 1));
  b->add("branch1", seq({cna(2080, 192, 1), cna(192, 224, 1, 3), cna(224, 256, 3, 1)}));
  b->add("conv2d", conv2d(448, 2080, 1));
  if (relu) b->add("relu", leaf("ReLU"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  if (a.s("norm_layer") != "batchnorm2d") a.unsupported("norm_layer " + a.s("norm_layer"));
  auto root = make("InceptionResnetV2");
  root->add("conv2d_1a", cna(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), 32, 3));
  root->add("conv2d_2a", cna(32, 32, 3));
  root->add("conv2d_2b", cna(32, 64, 3));
  root->add("maxpool_3a", leaf("MaxPool2d"));
  root->add("conv2d_3b", cna(64, 80, 1));
  root->add("conv2d_4a", cna(80, 192, 3));
  root->add("maxpool_5a", leaf("MaxPool2d"));
  auto m5b = make("Mixed_5b");
  m5b->add("branch0", cna(192, 96, 1));
  m5b->add("branch1", seq({cna(192, 48, 1), cna(48, 64, 5)}));
  m5b->add("branch2", seq({cna(192, 64, 1), cna(64, 96, 3), cna(96, 96, 3)}));
  m5b->add("branch3", seq({leaf("AvgPool2d"), cna(192, 64, 1)}));
  root->add("mixed_5b", m5b);
  root->add("repeat", repeat(block35(), 10, "Sequential"));
  auto m6a = make("Mixed_6a");
  m6a->add("branch0", cna(320, 384, 3));
  m6a->add("branch1", seq({cna(320, 256, 1), cna(256, 256, 3), cna(256, 384, 3)}));
  m6a->add("branch2", leaf("MaxPool2d"));
  root->add("mixed_6a", m6a);
  root->add("repeat_1", repeat(block17(), 20, "Sequential"));
  auto m7a = make("Mixed_7a");
  m7a->add("branch0", seq({cna(1088, 256, 1), cna(256, 384, 3)}));
  m7a->add("branch1", seq({cna(1088, 256, 1), cna(256, 288, 3)}));
  m7a->add("branch2", seq({cna(1088, 256, 1), cna(256, 288, 3), cna(288, 320, 3)}));
  m7a->add("branch3", leaf("MaxPool2d"));
  root->add("mixed_7a", m7a);
  root->add("repeat_2", repeat(block8(true), 9, "Sequential"));
  root->add("block8", block8(false));
  root->add("conv2d_7b", cna(2080, 1536, 1));
  root->add("global_pool", timm::select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("classif", timm::fc_or_identity(1536, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"InceptionResnetV2"}, build);

}  // namespace
}  // namespace memfit
