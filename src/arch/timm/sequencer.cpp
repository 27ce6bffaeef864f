// timm Sequencer2d (timm/models/sequencer.py) from its registered arguments: PatchEmbed stem, Sequencer2dStages
// (Downsample2d conv, Sequencer2dBlocks: norm1, LSTM2d rnn_tokens with fc / rnn_v / rnn_h nn.LSTMs, norm2,
// Mlp mlp_channels), norm, ClassifierHead.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// nn.LSTM(in, hidden, layers, bidirectional): weight_ih / weight_hh / bias_ih / bias_hh per layer and direction.
ModulePtr lstm(int64_t in, int64_t hidden, int64_t layers, bool bidir, bool bias) {
  auto m = make("LSTM");
  for (int64_t l = 0; l < layers; ++l)
    for (int d = 0; d < (bidir ? 2 : 1); ++d) {
      std::string sfx = "_l" + std::to_string(l) + (d ? "_reverse" : "");
      int64_t x = l == 0 ? in : hidden * (bidir ? 2 : 1);
      m->param("weight_ih" + sfx, {4 * hidden, x});
      m->param("weight_hh" + sfx, {4 * hidden, hidden});
      if (bias) {
        m->param("bias_ih" + sfx, {4 * hidden});
        m->param("bias_hh" + sfx, {4 * hidden});
      }
    }
  return m;
}

ModulePtr lstm2d(const timm::Args& a, int64_t dim, int64_t hidden) {
  bool bidir = a.b("bidirectional"), fc = a.b("with_fc");
  int64_t out = bidir ? 2 * hidden : hidden, layers = timm::checked(a.i("num_rnn_layers"), 1, 16, "num_rnn_layers");
  std::string u = a.s("union");
  if (u != "cat" && u != "add" && u != "vertical" && u != "horizontal") a.unsupported("union " + u);
  auto m = make("LSTM2d");
  if (fc) m->add("fc", linear(u == "cat" ? 2 * out : out, dim));
  m->add("rnn_v", u == "horizontal" ? leaf("RNNIdentity") : lstm(dim, hidden, layers, bidir, true));
  m->add("rnn_h", u == "vertical" ? leaf("RNNIdentity") : lstm(dim, hidden, layers, bidir, true));
  return m;
}

Model build(const timm::Args& a) {
  for (const char* k : {"block_layer", "rnn_layer", "mlp_layer"}) {
    static const Json defaults = timm::class_defaults("Sequencer2d");
    if (a.raw(k) != defaults[k]) a.unsupported(std::string(k) + " " + a.layer(k));
  }
  auto layers = a.ints("layers"), patches = a.ints("patch_sizes"), dims = a.ints("embed_dims"), hidden = a.ints("hidden_sizes");
  const Json& ratios = a.raw("mlp_ratios");
  size_t n = layers.size();
  if (n == 0 || patches.size() != n || dims.size() != n || hidden.size() != n || !ratios.is_array() || ratios.size() != n)
    a.unsupported("per-stage argument lengths differ");
  std::string norm = a.layer("norm_layer");
  auto root = make("Sequencer2d");
  auto stem = make("PatchEmbed");
  stem->add("proj", conv2d(a.i("in_chans"), dims[0], timm::checked(patches[0], 1, 64, "patch_sizes")));
  stem->add("norm", a.b("stem_norm") ? timm::norm(a, norm, dims[0]) : leaf("Identity"));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = dims[0];
  for (size_t i = 0; i < n; ++i) {
    int64_t d = timm::checked(dims[i], 1, 1 << 14, "embed_dims"), h = timm::checked(hidden[i], 1, 1 << 14, "hidden_sizes");
    int64_t ch = static_cast<int64_t>(ratios[i].get<double>() * static_cast<double>(d));
    auto st = make("Sequencer2dStage");
    if (i > 0) {
      auto ds = make("Downsample2d");
      ds->add("down", conv2d(prev, d, timm::checked(patches[i], 1, 64, "patch_sizes")));
      st->add("downsample", ds);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    st->add("blocks", timm::seq(timm::checked(layers[i], 0, 1024, "layers"), [&](int64_t) {
              auto b = make("Sequencer2dBlock");
              b->add("norm1", timm::norm(a, norm, d));
              b->add("rnn_tokens", lstm2d(a, d, h));
              b->add("drop_path", leaf("Identity"));
              b->add("norm2", timm::norm(a, norm, d));
              b->add("mlp_channels", timm::mlp(d, ch, d));
              return b;
            }));
    stages->add(std::to_string(i), st);
    prev = d;
  }
  root->add("stages", stages);
  root->add("norm", timm::norm(a, norm, prev));
  root->add("head", timm::classifier_head(prev, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Sequencer2d"}, build);

}  // namespace
}  // namespace memfit
