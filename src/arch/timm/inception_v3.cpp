// timm InceptionV3 (timm/models/inception_v3.py): ConvNormAct stem convs, Mixed_5b..7c Inception A-E blocks of
// ConvNormAct branches (no AuxLogits by default), global_pool, head_drop, fc.
#include <tuple>

#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr cba(int64_t in, int64_t out, int64_t kh, int64_t kw = 0) { return timm::conv_norm_act_hw(in, out, kh, kw ? kw : kh); }

using Branches = std::vector<std::tuple<std::string, int64_t, int64_t, int64_t, int64_t>>;
ModulePtr mixed(std::string cls, const Branches& bs) {
  auto m = make(std::move(cls));
  for (const auto& [name, in, out, kh, kw] : bs) m->add(name, cba(in, out, kh, kw));
  return m;
}

ModulePtr inception_a(int64_t in, int64_t pool) {
  return mixed("InceptionA", {{"branch1x1", in, 64, 1, 1}, {"branch5x5_1", in, 48, 1, 1}, {"branch5x5_2", 48, 64, 5, 5},
                              {"branch3x3dbl_1", in, 64, 1, 1}, {"branch3x3dbl_2", 64, 96, 3, 3},
                              {"branch3x3dbl_3", 96, 96, 3, 3}, {"branch_pool", in, pool, 1, 1}});
}

ModulePtr inception_c(int64_t in, int64_t c7) {
  return mixed("InceptionC", {{"branch1x1", in, 192, 1, 1}, {"branch7x7_1", in, c7, 1, 1},
                              {"branch7x7_2", c7, c7, 1, 7}, {"branch7x7_3", c7, 192, 7, 1},
                              {"branch7x7dbl_1", in, c7, 1, 1}, {"branch7x7dbl_2", c7, c7, 7, 1},
                              {"branch7x7dbl_3", c7, c7, 1, 7}, {"branch7x7dbl_4", c7, c7, 7, 1},
                              {"branch7x7dbl_5", c7, 192, 1, 7}, {"branch_pool", in, 192, 1, 1}});
}

ModulePtr inception_e(int64_t in) {
  return mixed("InceptionE", {{"branch1x1", in, 320, 1, 1}, {"branch3x3_1", in, 384, 1, 1},
                              {"branch3x3_2a", 384, 384, 1, 3}, {"branch3x3_2b", 384, 384, 3, 1},
                              {"branch3x3dbl_1", in, 448, 1, 1}, {"branch3x3dbl_2", 448, 384, 3, 3},
                              {"branch3x3dbl_3a", 384, 384, 1, 3}, {"branch3x3dbl_3b", 384, 384, 3, 1},
                              {"branch_pool", in, 192, 1, 1}});
}

Model build(const Config& c, std::string_view arch) {
  if (arch != "inception_v3") timm::unsupported(arch);
  auto r = make("InceptionV3");
  r->add("Conv2d_1a_3x3", cba(timm::in_chans(c), 32, 3));
  r->add("Conv2d_2a_3x3", cba(32, 32, 3));
  r->add("Conv2d_2b_3x3", cba(32, 64, 3));
  r->add("Pool1", leaf("MaxPool2d"));
  r->add("Conv2d_3b_1x1", cba(64, 80, 1));
  r->add("Conv2d_4a_3x3", cba(80, 192, 3));
  r->add("Pool2", leaf("MaxPool2d"));
  r->add("Mixed_5b", inception_a(192, 32));
  r->add("Mixed_5c", inception_a(256, 64));
  r->add("Mixed_5d", inception_a(288, 64));
  r->add("Mixed_6a", mixed("InceptionB", {{"branch3x3", 288, 384, 3, 3}, {"branch3x3dbl_1", 288, 64, 1, 1},
                                          {"branch3x3dbl_2", 64, 96, 3, 3}, {"branch3x3dbl_3", 96, 96, 3, 3}}));
  r->add("Mixed_6b", inception_c(768, 128));
  r->add("Mixed_6c", inception_c(768, 160));
  r->add("Mixed_6d", inception_c(768, 160));
  r->add("Mixed_6e", inception_c(768, 192));
  r->add("Mixed_7a", mixed("InceptionD", {{"branch3x3_1", 768, 192, 1, 1}, {"branch3x3_2", 192, 320, 3, 3},
                                          {"branch7x7x3_1", 768, 192, 1, 1}, {"branch7x7x3_2", 192, 192, 1, 7},
                                          {"branch7x7x3_3", 192, 192, 7, 1}, {"branch7x7x3_4", 192, 192, 3, 3}}));
  r->add("Mixed_7b", inception_e(1280));
  r->add("Mixed_7c", inception_e(2048));
  r->add("global_pool", timm::select_pool());
  r->add("head_drop", leaf("Dropout"));
  r->add("fc", timm::fc_or_identity(2048, timm::num_classes(c)));
  return timm::model(r);
}

MEMFIT_TIMM_FAMILY({"inception_v3"}, build);

}  // namespace
}  // namespace memfit
