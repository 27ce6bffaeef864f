// ConvNeXt and ConvNeXt V2: transformers' modeling_convnext.py / modeling_convnextv2.py. A patchify stem, stages of
// (downsampling LayerNorm + Conv2d) and depthwise-conv layers whose pointwise convs are Linears; V2 swaps the layer
// scale for a GRN.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Shape {
  std::string p;  // "ConvNext" or "ConvNextV2"
  bool v2;
  std::vector<int64_t> hidden, depths;
};

Shape read(const Config& c, std::string p) {
  Shape s{p, p == "ConvNextV2", media::dims(c, "hidden_sizes", {96, 192, 384, 768}),
          media::dims(c, "depths", {3, 3, 9, 3}, 0)};
  int64_t stages = media::count(c, "num_stages", 4);
  media::require(c, stages >= 1 && s.hidden.size() >= static_cast<size_t>(stages) &&
                        s.depths.size() >= static_cast<size_t>(stages), "num_stages exceeds hidden_sizes/depths");
  s.hidden.resize(stages);
  s.depths.resize(stages);
  return s;
}

ModulePtr layer(const Config& c, const Shape& s, int64_t dim, bool drop_path) {
  auto l = make(s.p + "Layer");
  l->add("dwconv", conv2d(dim, dim, 7, true, dim));
  l->add("layernorm", layer_norm(dim, true, s.p + "LayerNorm"));
  l->add("pwconv1", linear(dim, 4 * dim));
  l->add("act", leaf(act_class(c.s("hidden_act", "gelu"))));
  if (s.v2) {
    auto grn = make("ConvNextV2GRN");
    grn->param("weight", {1, 1, 1, 4 * dim}).param("bias", {1, 1, 1, 4 * dim});
    l->add("grn", grn);
  }
  l->add("pwconv2", linear(4 * dim, dim));
  if (!s.v2 && c.f("layer_scale_init_value", 1e-6) > 0) l->param("layer_scale_parameter", {dim});
  l->add("drop_path", leaf(drop_path ? s.p + "DropPath" : "Identity"));
  return l;
}

ModulePtr model(const Config& c, const Shape& s, std::string cls) {
  auto emb = make(s.p + "Embeddings");
  int64_t patch = media::dim(c, "patch_size", 4);
  emb->add("patch_embeddings", conv2d(media::dim(c, "num_channels", 3), s.hidden[0], patch));
  emb->add("layernorm", layer_norm(s.hidden[0], true, s.p + "LayerNorm"));

  // Stochastic depth grows linearly from 0 over all layers: only the very first layer keeps an Identity.
  bool dpr = c.f("drop_path_rate", 0) > 0;
  auto stages = make("ModuleList");
  int64_t prev = s.hidden[0];
  for (size_t i = 0; i < s.hidden.size(); ++i) {
    int64_t out = s.hidden[i];
    auto st = make(s.p + "Stage");
    auto down = make("ModuleList");
    if (prev != out || i > 0) {
      down->add("0", layer_norm(prev, true, s.p + "LayerNorm"));
      down->add("1", conv2d(prev, out, 2));
    }
    st->add("downsampling_layer", down);
    auto plain = layer(c, s, out, dpr), first = i == 0 ? layer(c, s, out, false) : plain;
    std::vector<ModulePtr> layers;
    for (int64_t j = 0; j < s.depths[i]; ++j) layers.push_back(j == 0 ? first : plain);
    st->add("layers", module_list(layers));
    stages->add(std::to_string(i), st);
    prev = out;
  }
  auto enc = make(s.p + "Encoder");
  enc->add("stages", stages);

  auto m = make(std::move(cls));
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", layer_norm(s.hidden.back()));
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& p) {
  Shape s = read(c, p);
  std::vector<std::string> no_split{p + "Layer"};
  if (!s.v2) no_split.push_back(p + "Stage");
  const std::string base = s.v2 ? "convnextv2" : "convnext";
  if (cls == p + "Model") return {model(c, s, std::string(cls)), no_split};
  if (cls == p + "ForImageClassification") {
    auto root = make(std::string(cls));
    root->add(base, model(c, s, p + "Model"));
    root->add("classifier", media::linear_or_identity(s.hidden.back(), heads::num_labels(c)));
    return {root, no_split};
  }
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"convnext"}, "ConvNext",
              [](const Config& c, std::string_view cls) { return build(c, cls, "ConvNext"); });
MEMFIT_FAMILY({"convnextv2"}, "ConvNextV2",
              [](const Config& c, std::string_view cls) { return build(c, cls, "ConvNextV2"); });

}  // namespace
}  // namespace memfit
