// UVDoc (document unwarping): transformers' modeling_uvdoc.py. UVDocModel: backbone = UVDocBackbone (resnet:
// resnet_head stride-2 conv-norm-ReLU layers and resnet_down stages of residual blocks [in, out, dilation,
// downsample] -- conv_down (a strided conv-norm, downsampling blocks only), conv_start, conv_final, all k x k with
// bias -- then bridge: one block per stage_configs entry of dilated 3x3 conv-norm-ReLU layers), and head =
// bridge_connector (1x1 conv-norm over the concatenated bridge outputs) and out_point_positions2D (a conv-norm
// with hidden_act -- PReLU, one weight, by default -- and a final conv). No no-split modules.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// ACT2FN's module for an activation name; PReLU holds its single weight.
ModulePtr activation(const std::string& act) {
  if (act != "prelu") return leaf(act_class(act));
  auto m = make("PReLU");
  m->param("weight", {1});
  return m;
}

// UVDocConvLayer: convolution, BatchNorm2d, the activation (Identity when none).
ModulePtr conv_layer(int64_t in, int64_t out, int64_t k, bool bias, const std::string& act) {
  auto l = make("UVDocConvLayer");
  l->add("convolution", conv2d(in, out, k, bias));
  l->add("normalization", batch_norm(out));
  l->add("activation", act.empty() ? leaf("Identity") : activation(act));
  return l;
}

// A list of int tuples (each at least `width` long; a bool counts as 0/1) from config key `key`.
std::vector<std::vector<int64_t>> tuples(const Config& c, const Json& list, std::string_view key, size_t width) {
  if (!list.is_array() || list.size() > static_cast<size_t>(media::kMaxCount)) c.missing(key);
  std::vector<std::vector<int64_t>> out;
  for (const Json& t : list) {
    if (!t.is_array() || t.size() < width) c.missing(key);
    std::vector<int64_t> v;
    for (size_t i = 0; i < width; ++i) {
      if (t[i].is_boolean()) v.push_back(t[i].get<bool>() ? 1 : 0);
      else if (t[i].is_number_integer() && t[i].get<int64_t>() >= 0 && t[i].get<int64_t>() <= media::kMaxDim)
        v.push_back(t[i].get<int64_t>());
      else c.missing(key);
    }
    out.push_back(std::move(v));
  }
  return out;
}

const Json& raw_list(const Config& c, std::string_view key) {
  auto it = c.raw().find(key);
  if (it == c.raw().end() || !it->is_array()) c.missing(key);
  return *it;
}

ModulePtr backbone(const Config& b, int64_t& bridges) {
  const int64_t k = media::dim(b, "kernel_size", 5);
  media::require(b, k <= 64, "kernel_size out of range");
  auto head_list = make("ModuleList");
  auto head = tuples(b, raw_list(b, "resnet_head"), "resnet_head", 2);
  for (size_t i = 0; i < head.size(); ++i)
    head_list->add(std::to_string(i), conv_layer(head[i][0], head[i][1], k, false, "relu"));
  auto down = make("ModuleList");
  const Json& stages = raw_list(b, "resnet_configs");
  if (stages.size() > static_cast<size_t>(media::kMaxCount)) b.missing("resnet_configs");
  for (size_t s = 0; s < stages.size(); ++s) {
    auto layers = make("ModuleList");
    auto blocks_cfg = tuples(b, stages[s], "resnet_configs", 4);
    for (size_t i = 0; i < blocks_cfg.size(); ++i) {
      const int64_t in = blocks_cfg[i][0], out = blocks_cfg[i][1];
      const bool downsample = blocks_cfg[i][3] != 0;
      auto blk = make("UVDocResidualBlock");
      blk->add("conv_down", downsample ? conv_layer(in, out, k, true, "") : leaf("Identity"));
      blk->add("conv_start", conv_layer(in, out, k, true, "relu"));
      blk->add("conv_final", conv_layer(out, out, k, true, ""));
      blk->add("act_fn", leaf("ReLU"));
      layers->add(std::to_string(i), blk);
    }
    auto st = make("UVDocResNetStage");
    st->add("layers", layers);
    down->add(std::to_string(s), st);
  }
  auto resnet = make("UVDocResNet");
  resnet->add("resnet_head", head_list);
  resnet->add("resnet_down", down);
  auto bridge_list = make("ModuleList");
  const Json& bridge_cfg = raw_list(b, "stage_configs");
  if (bridge_cfg.size() > static_cast<size_t>(media::kMaxCount)) b.missing("stage_configs");
  for (size_t s = 0; s < bridge_cfg.size(); ++s) {
    auto blk = make("UVDocBridgeBlock");
    auto convs = make("ModuleList");
    auto cfg = tuples(b, bridge_cfg[s], "stage_configs", 2);
    for (size_t i = 0; i < cfg.size(); ++i) convs->add(std::to_string(i), conv_layer(cfg[i][0], cfg[i][0], 3, false, "relu"));
    blk->add("blocks", convs);
    bridge_list->add(std::to_string(s), blk);
  }
  bridges = static_cast<int64_t>(bridge_cfg.size());
  auto bridge = make("UVDocBridge");
  bridge->add("bridge", bridge_list);
  auto m = make("UVDocBackbone");
  m->add("resnet", resnet);
  m->add("bridge", bridge);
  return m;
}

// UVDocBackboneConfig's defaults: resnet_head, resnet_configs [in, out, dilation, downsample], stage_configs
// [channels, dilation].
constexpr const char* kBackboneDefaults = R"({"model_type": "uvdoc_backbone", "kernel_size": 5,
  "resnet_head": [[3, 32], [32, 32]],
  "resnet_configs": [[[32, 32, 1, false], [32, 32, 3, false], [32, 32, 3, false]],
                     [[32, 64, 1, true], [64, 64, 3, false], [64, 64, 3, false], [64, 64, 3, false]],
                     [[64, 128, 1, true], [128, 128, 3, false], [128, 128, 3, false], [128, 128, 3, false],
                      [128, 128, 3, false], [128, 128, 3, false]]],
  "stage_configs": [[[128, 1]], [[128, 2]], [[128, 5]], [[128, 8], [128, 3], [128, 2]],
                    [[128, 12], [128, 7], [128, 4]], [[128, 18], [128, 12], [128, 6]]]})";

Model build(const Config& c, std::string_view cls) {
  if (cls != "UVDocModel") heads::unsupported(cls);
  // An omitted backbone_config is UVDocBackboneConfig() (consolidate_backbone_kwargs_to_config's default type).
  SubConfig bc = sub_config(c, "backbone_config", Json::parse(kBackboneDefaults), "uvdoc_backbone");
  if (bc.c.s("model_type", "uvdoc_backbone") != "uvdoc_backbone")
    heads::unsupported("UVDocModel with a " + bc.c.s("model_type", "") + " backbone");
  int64_t bridges = 0;
  auto bb = backbone(bc.c, bridges);
  const int64_t k = media::dim(c, "kernel_size", 5);
  media::require(c, k <= 64, "kernel_size out of range");
  auto connector = media::dims(c, "bridge_connector", {128, 128});
  auto points = tuples(c, raw_list(c, "out_point_positions2D"), "out_point_positions2D", 2);
  media::require(c, connector.size() >= 2 && points.size() >= 2, "bridge_connector / out_point_positions2D too short");
  auto pos = make("UVDocPointPositions2D");
  pos->add("conv_down", conv_layer(points[0][0], points[0][1], k, false, c.s("hidden_act", "prelu")));
  pos->add("conv_up", conv2d(points[1][0], points[1][1], k));
  auto head = make("UVDocHead");
  head->add("bridge_connector", conv_layer(connector[0] * bridges, connector[1], 1, false, "relu"));
  head->add("out_point_positions2D", pos);
  auto m = make("UVDocModel");
  m->add("backbone", bb);
  m->add("head", head);
  return {m, {}};
}

MEMFIT_FAMILY({"uvdoc"}, "UVDoc", build);

}  // namespace
}  // namespace memfit
