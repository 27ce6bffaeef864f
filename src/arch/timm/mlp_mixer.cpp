// timm MlpMixer (timm/models/mlp_mixer.py) from its registered arguments: PatchEmbed stem, then MixerBlocks (token
// and channel Mlp / GluMlp), ResBlocks (ResMLP: Affine norms, linear token mixing, ls1 / ls2) or SpatialGatingBlocks
// (gMLP: GatedMlp with a SpatialGatingUnit), norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr norm(bool affine, int64_t dim) {
  if (!affine) return layer_norm(dim);
  auto n = make("Affine");
  n->param("alpha", {1, 1, dim});
  n->param("beta", {1, 1, dim});
  return n;
}

ModulePtr block(const timm::Args& a, const std::string& kind, bool affine, int64_t dim, int64_t seq) {
  const Json& r = a.raw("mlp_ratio");
  double rt = r.is_array() ? r.at(0).get<double>() : r.get<double>(), rc = r.is_array() ? r.at(1).get<double>() : rt;
  std::string mlp = a.layer("mlp_layer");
  auto b = make(kind);
  if (kind == "MixerBlock") {
    b->add("norm1", norm(affine, dim));
    b->add("mlp_tokens", timm::mlp_layer(a, mlp, seq, static_cast<int64_t>(rt * dim), seq, true, ""));
    b->add("drop_path", leaf("Identity"));
    b->add("norm2", norm(affine, dim));
    b->add("mlp_channels", timm::mlp_layer(a, mlp, dim, static_cast<int64_t>(rc * dim), dim, true, ""));
  } else if (kind == "ResBlock") {
    b->add("norm1", norm(affine, dim));
    b->add("linear_tokens", linear(seq, seq));
    b->add("drop_path", leaf("Identity"));
    b->add("norm2", norm(affine, dim));
    b->add("mlp_channels", timm::mlp_layer(a, mlp, dim, static_cast<int64_t>(rt * dim), dim, true, ""));
    b->param("ls1", {dim});
    b->param("ls2", {dim});
  } else {
    int64_t ch = static_cast<int64_t>(rt * dim);
    auto sgu = make("SpatialGatingUnit");
    sgu->add("norm", norm(affine, ch / 2));
    sgu->add("proj", linear(seq, seq));
    auto m = make("GatedMlp");
    m->add("fc1", linear(dim, ch));
    m->add("act", leaf("GELU"));
    m->add("drop1", leaf("Dropout"));
    m->add("gate", sgu);
    m->add("norm", leaf("Identity"));
    m->add("fc2", linear(ch / 2, dim));
    m->add("drop2", leaf("Dropout"));
    b->add("norm", norm(affine, dim));
    b->add("mlp_channels", m);
    b->add("drop_path", leaf("Identity"));
  }
  return b;
}

Model build(const timm::Args& a) {
  std::string kind = a.layer("block_layer"), nl = a.layer("norm_layer");
  if (kind != "MixerBlock" && kind != "ResBlock" && kind != "SpatialGatingBlock") a.unsupported("block_layer " + kind);
  if (nl != "nn.LayerNorm" && nl != "Affine") a.unsupported("norm_layer " + nl);
  if (a.b("stem_norm")) a.unsupported("stem_norm");
  bool affine = nl == "Affine";
  int64_t dim = timm::checked(a.i("embed_dim"), 1, 1 << 16, "embed_dim");
  auto root = make("MlpMixer");
  auto [stem, seq] = timm::patch_embed(a, dim, true);
  root->add("stem", stem);
  root->add("blocks", timm::seq(timm::checked(a.i("num_blocks"), 0, 1024, "num_blocks"),
                                [&](int64_t) { return block(a, kind, affine, dim, seq); }));
  root->add("norm", norm(affine, dim));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"MlpMixer"}, build);

}  // namespace
}  // namespace memfit
