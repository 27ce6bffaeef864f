// timm HighResolutionNet (timm/models/hrnet.py, classification head): stem conv1/conv2, layer1 of Bottlenecks,
// transitions and HighResolutionModules (branches of BasicBlocks, fuse_layers of up/down-sampling convs), then the
// incre_modules / downsamp_modules / final_layer head and classifier; every registered model_cfg (hrnet_w18..w64,
// the small variants, ssld's bias-free head convs).
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
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

ModulePtr hr_module(const std::vector<int64_t>& chs, const std::vector<int64_t>& nblocks) {
  const size_t n = chs.size();
  auto m = make("HighResolutionModule");
  auto branches = make("ModuleList");
  for (size_t i = 0; i < n; ++i)
    branches->add(std::to_string(i), repeat(timm::resnet_basic(chs[i], chs[i], false), nblocks[i], "Sequential"));
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

// One stageN dict of the model_cfg: module count, per-branch blocks and channels (BASIC blocks only past stage 1).
struct Stage {
  int64_t modules;
  std::vector<int64_t> blocks, chs;
  std::string type;
};

Stage stage_cfg(const timm::Args& a, const Json& cfg, const std::string& key) {
  if (!cfg.contains(key) || !cfg.at(key).is_object()) a.unsupported("model_cfg without " + key);
  const Json& s = cfg.at(key);
  Stage st{timm::checked(s.value("num_modules", int64_t{0}), 1, 64, "num_modules"),
           s.at("num_blocks").get<std::vector<int64_t>>(), s.at("num_channels").get<std::vector<int64_t>>(),
           s.value("block_type", std::string())};
  if (st.blocks.size() != st.chs.size() || st.chs.empty() || st.chs.size() > 8) a.unsupported(key + " branch lists");
  for (auto b : st.blocks) timm::checked(b, 0, 256, "num_blocks");
  for (auto c : st.chs) timm::checked(c, 1, 1 << 16, "num_channels");
  return st;
}

Model build(const timm::Args& a) {
  if (a.s("head") != "classification") a.unsupported("head " + a.s("head"));
  const Json& cfg = a.raw("model_cfg");
  if (!cfg.is_object()) a.unsupported("model_cfg is not an object");
  int64_t stem = timm::checked(cfg.value("stem_width", int64_t{64}), 1, 1 << 16, "stem_width");
  // _create_hrnet passes head_conv_bias as a kwarg, which HighResolutionNet merges into the cfg
  bool head_bias = a.all().contains("head_conv_bias") ? a.b("head_conv_bias") : cfg.value("head_conv_bias", true);
  auto root = make("HighResolutionNet");
  root->add("conv1", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), stem, 3, false));
  root->add("bn1", batch_norm(stem));
  root->add("act1", leaf("ReLU"));
  root->add("conv2", conv2d(stem, 64, 3, false));
  root->add("bn2", batch_norm(64));
  root->add("act2", leaf("ReLU"));
  Stage s1 = stage_cfg(a, cfg, "stage1");
  bool bottle = s1.type == "BOTTLENECK";
  if (!bottle && s1.type != "BASIC") a.unsupported("stage1 block_type " + s1.type);
  int64_t planes = s1.chs[0], out1 = bottle ? 4 * planes : planes;
  auto layer1 = make("Sequential");
  for (int64_t k = 0; k < s1.blocks[0]; ++k) {
    int64_t in = k ? out1 : 64;
    layer1->add(std::to_string(k), bottle ? timm::resnet_bottleneck(in, planes, in != out1)
                                          : timm::resnet_basic(in, planes, in != out1));
  }
  root->add("layer1", layer1);
  std::vector<int64_t> pre{out1};
  for (int s = 0; s < 3; ++s) {
    Stage st = stage_cfg(a, cfg, "stage" + std::to_string(s + 2));
    if (st.type != "BASIC") a.unsupported("block_type " + st.type + " past stage 1");
    root->add("transition" + std::to_string(s + 1), transition(pre, st.chs));
    root->add("stage" + std::to_string(s + 2), repeat(hr_module(st.chs, st.blocks), st.modules, "SequentialList"));
    pre = st.chs;
  }
  if (pre.size() != 4) a.unsupported("stage4 without four branches");
  const int64_t head[] = {32, 64, 128, 256};
  auto incre = make("ModuleList");
  for (int i = 0; i < 4; ++i) {
    auto l = make("Sequential");
    l->add("0", timm::resnet_bottleneck(pre[i], head[i], pre[i] != head[i] * 4));
    incre->add(std::to_string(i), l);
  }
  root->add("incre_modules", incre);
  auto down = make("ModuleList");
  for (int i = 0; i < 3; ++i) down->add(std::to_string(i), conv_bn(head[i] * 4, head[i + 1] * 4, 3, true, head_bias));
  root->add("downsamp_modules", down);
  root->add("final_layer", conv_bn(1024, 2048, 1, true, head_bias));
  root->add("global_pool", timm::select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("classifier", timm::fc_or_identity(2048, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"HighResolutionNet"}, build);

}  // namespace
}  // namespace memfit
