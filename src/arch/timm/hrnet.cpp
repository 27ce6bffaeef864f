// timm HighResolutionNet (timm/models/hrnet.py, classification head): stem conv1/conv2, layer1 of Bottlenecks,
// transitions and HighResolutionModules (branches of BasicBlocks, fuse_layers of up/down-sampling convs), then the
// incre_modules / downsamp_modules / final_layer head and classifier. hrnet_w18..w64.
#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr conv_bn(int64_t in, int64_t out, int64_t k, bool relu, bool bias = false) {
  auto s = make("Sequential");
  s->add("0", conv2d(in, out, k, bias));
  s->add("1", batch_norm(out));
  if (relu) s->add("2", leaf("ReLU"));
  return s;
}

ModulePtr transition(const std::vector<int64_t>& pre, const std::vector<int64_t>& cur) {
  auto t = make("ModuleList");
  for (size_t i = 0; i < cur.size(); ++i) {
    if (i < pre.size()) {
      t->add(std::to_string(i), cur[i] != pre[i] ? conv_bn(pre[i], cur[i], 3, true) : leaf("Identity"));
    } else {
      auto s = make("Sequential");
      for (size_t j = 0; j < i + 1 - pre.size(); ++j) {
        int64_t in = pre.back(), out = j == i - pre.size() ? cur[i] : in;
        s->add(std::to_string(j), conv_bn(in, out, 3, true));
      }
      t->add(std::to_string(i), s);
    }
  }
  return t;
}

ModulePtr hr_module(const std::vector<int64_t>& chs) {
  const size_t n = chs.size();
  auto m = make("HighResolutionModule");
  auto branches = make("ModuleList");
  for (size_t i = 0; i < n; ++i) branches->add(std::to_string(i), repeat(timm::resnet_basic(chs[i], chs[i], false), 4, "Sequential"));
  m->add("branches", branches);
  if (n == 1) {
    m->add("fuse_layers", leaf("Identity"));
  } else {
    auto fuse = make("ModuleList");
    for (size_t i = 0; i < n; ++i) {
      auto row = make("ModuleList");
      for (size_t j = 0; j < n; ++j) {
        if (j > i) {
          auto s = conv_bn(chs[j], chs[i], 1, false);
          s->add("2", leaf("Upsample"));
          row->add(std::to_string(j), s);
        } else if (j == i) {
          row->add(std::to_string(j), leaf("Identity"));
        } else {
          auto s = make("Sequential");
          for (size_t k = 0; k < i - j; ++k) {
            bool last = k == i - j - 1;
            s->add(std::to_string(k), conv_bn(chs[j], last ? chs[i] : chs[j], 3, !last));
          }
          row->add(std::to_string(j), s);
        }
      }
      fuse->add(std::to_string(i), row);
    }
    m->add("fuse_layers", fuse);
  }
  m->add("fuse_act", leaf("ReLU"));
  return m;
}

Model build(const Config& c, std::string_view arch) {
  static const std::vector<int64_t> widths{18, 30, 32, 40, 44, 48, 64};
  int64_t w = 0;
  for (auto x : widths)
    if (arch == "hrnet_w" + std::to_string(x)) w = x;
  if (!w) timm::unsupported(arch);
  auto root = make("HighResolutionNet");
  root->add("conv1", conv2d(timm::in_chans(c), 64, 3, false));
  root->add("bn1", batch_norm(64));
  root->add("act1", leaf("ReLU"));
  root->add("conv2", conv2d(64, 64, 3, false));
  root->add("bn2", batch_norm(64));
  root->add("act2", leaf("ReLU"));
  auto layer1 = make("Sequential");
  for (int k = 0; k < 4; ++k) layer1->add(std::to_string(k), timm::resnet_bottleneck(k ? 256 : 64, 64, k == 0));
  root->add("layer1", layer1);
  std::vector<int64_t> pre{256};
  const int num_modules[] = {1, 4, 3};
  for (int s = 0; s < 3; ++s) {
    std::vector<int64_t> cur;
    for (int b = 0; b < s + 2; ++b) cur.push_back(w << b);
    root->add("transition" + std::to_string(s + 1), transition(pre, cur));
    root->add("stage" + std::to_string(s + 2), repeat(hr_module(cur), num_modules[s], "SequentialList"));
    pre = cur;
  }
  const int64_t head[] = {32, 64, 128, 256};
  auto incre = make("ModuleList");
  for (int i = 0; i < 4; ++i) {
    auto l = make("Sequential");
    l->add("0", timm::resnet_bottleneck(pre[i], head[i], true));
    incre->add(std::to_string(i), l);
  }
  root->add("incre_modules", incre);
  auto down = make("ModuleList");
  for (int i = 0; i < 3; ++i) down->add(std::to_string(i), conv_bn(head[i] * 4, head[i + 1] * 4, 3, true, true));
  root->add("downsamp_modules", down);
  root->add("final_layer", conv_bn(1024, 2048, 1, true, true));
  root->add("global_pool", timm::select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("classifier", timm::fc_or_identity(2048, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"hrnet_w"}, build);

}  // namespace
}  // namespace memfit
