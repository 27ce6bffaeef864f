// timm CoaT (timm/models/coat.py) from its registered arguments: four PatchEmbeds, cls_token1..4, ConvPosEnc
// cpe1..4, ConvRelPosEnc crpe1..4 (depthwise conv_list per window), serial blocks, parallel blocks, norms,
// aggregate / head. The cpe / crpe modules are shared with every block, and a ParallelBlock's mlp2 / mlp3 / mlp4 are
// one module: PyTorch counts a shared module once, under its first name, so the blocks leave the copies out.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr factor_attn(int64_t dim, bool bias) { return timm::qkv_attention("FactorAttnConvRelPosEnc", dim, bias); }

ModulePtr serial_block(const timm::Args& a, int64_t dim, double ratio) {
  auto b = make("SerialBlock");
  b->add("norm1", timm::norm(a, a.layer("norm_layer"), dim));
  b->add("factoratt_crpe", factor_attn(dim, a.b("qkv_bias")));
  b->add("drop_path", leaf("Identity"));
  b->add("norm2", timm::norm(a, a.layer("norm_layer"), dim));
  b->add("mlp", timm::mlp(dim, static_cast<int64_t>(static_cast<double>(dim) * ratio), dim));
  return b;
}

ModulePtr parallel_block(const timm::Args& a, const std::vector<int64_t>& dims, double ratio) {
  auto b = make("ParallelBlock");
  for (int i = 2; i <= 4; ++i) b->add("norm1" + std::to_string(i), timm::norm(a, a.layer("norm_layer"), dims[i - 1]));
  for (int i = 2; i <= 4; ++i) b->add("factoratt_crpe" + std::to_string(i), factor_attn(dims[i - 1], a.b("qkv_bias")));
  b->add("drop_path", leaf("Identity"));
  for (int i = 2; i <= 4; ++i) b->add("norm2" + std::to_string(i), timm::norm(a, a.layer("norm_layer"), dims[i - 1]));
  b->add("mlp2", timm::mlp(dims[1], static_cast<int64_t>(static_cast<double>(dims[1]) * ratio), dims[1]));
  return b;
}

ModulePtr crpe(const timm::Args& a, int64_t head_chs) {
  std::vector<std::pair<int64_t, int64_t>> window{{3, 2}, {5, 3}, {7, 3}};
  if (a.has("crpe_window")) {
    window.clear();
    const Json& w = a.raw("crpe_window");
    if (!w.is_object()) a.unsupported("crpe_window");
    for (auto it = w.begin(); it != w.end(); ++it) window.emplace_back(std::stoll(it.key()), it.value().get<int64_t>());
  }
  auto m = make("ConvRelPosEnc");
  auto convs = make("ModuleList");
  for (const auto& [k, split] : window)
    convs->add(std::to_string(convs->children.size()), conv2d(split * head_chs, split * head_chs, timm::checked(k, 1, 64, "crpe_window"), true, split * head_chs));
  m->add("conv_list", convs);
  return m;
}

Model build(const timm::Args& a) {
  auto dims = a.ints("embed_dims"), depths = a.ints("serial_depths"), img = a.ints("img_size");
  const Json& ratios_json = a.raw("mlp_ratios");
  if (dims.size() != 4 || depths.size() != 4 || !ratios_json.is_array() || ratios_json.size() != 4) a.unsupported("four stages expected");
  std::vector<double> ratios;
  for (const auto& r : ratios_json) ratios.push_back(r.get<double>());
  if (a.s("global_pool") != "token" && a.s("global_pool") != "avg") a.unsupported("global_pool " + a.s("global_pool"));
  if (a.b("return_interm_layers")) a.unsupported("return_interm_layers");
  int64_t heads = timm::checked(a.i("num_heads"), 1, 1024, "num_heads"), parallel = timm::checked(a.i("parallel_depth"), 0, 256, "parallel_depth");
  for (auto d : dims) timm::checked(d, heads, 1 << 14, "embed_dims");
  auto root = make("CoaT");
  int64_t in = a.i("in_chans");
  for (int i = 0; i < 4; ++i) {
    root->add("patch_embed" + std::to_string(i + 1), timm::patch_embed(in, dims[i], i == 0 ? a.i("patch_size") : 2, true, true));
    in = dims[i];
  }
  for (int i = 0; i < 4; ++i) root->param("cls_token" + std::to_string(i + 1), {1, 1, dims[i]});
  for (int i = 0; i < 4; ++i) {
    auto cpe = make("ConvPosEnc");
    cpe->add("proj", conv2d(dims[i], dims[i], 3, true, dims[i]));
    root->add("cpe" + std::to_string(i + 1), cpe);
  }
  for (int i = 0; i < 4; ++i) root->add("crpe" + std::to_string(i + 1), crpe(a, dims[i] / heads));
  for (int i = 0; i < 4; ++i)
    root->add("serial_blocks" + std::to_string(i + 1), timm::seq(timm::checked(depths[i], 0, 256, "serial_depths"),
                                                                 [&](int64_t) { return serial_block(a, dims[i], ratios[i]); }, "ModuleList"));
  int64_t classes = a.i("num_classes");
  if (parallel > 0) {
    if (dims[1] != dims[2] || dims[2] != dims[3] || ratios[1] != ratios[2] || ratios[2] != ratios[3])
      a.unsupported("parallel blocks need equal dims 2-4");
    root->add("parallel_blocks", timm::seq(parallel, [&](int64_t) { return parallel_block(a, dims, ratios[1]); }, "ModuleList"));
    root->add("norm2", timm::norm(a, a.layer("norm_layer"), dims[1]));
    root->add("norm3", timm::norm(a, a.layer("norm_layer"), dims[2]));
  }
  root->add("norm4", timm::norm(a, a.layer("norm_layer"), dims[3]));
  if (parallel > 0) {
    auto agg = make("Conv1d");
    agg->param("weight", {1, 3, 1});
    agg->param("bias", {1});
    root->add("aggregate", agg);
  }
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dims[3], classes));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"CoaT"}, build);

}  // namespace
}  // namespace memfit
