// DAC: transformers' modeling_dac.py (DacModel): the conv encoder and decoder of dac.h and a residual vector
// quantizer of n_codebooks DacVectorQuantize (in_proj / out_proj 1x1 Conv1d and a codebook Embedding). DacConfig's
// __post_init__ always derives hidden_size (encoder_hidden_size * 2^len(downsampling_ratios)) and
// upsampling_ratios (downsampling_ratios reversed), whatever a saved config says; the codebook size must be a power
// of two.
#include "arch/blocks.h"
#include "arch/transformers/dac.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& given, std::string_view cls) {
  if (cls != "DacModel") heads::unsupported(cls);
  Json j = given.raw();
  auto down = media::dims(given, "downsampling_ratios", {2, 4, 8, 8});
  media::require(given, !down.empty() && down.size() <= 16, "downsampling_ratios must hold 1 to 16 entries");
  j["hidden_size"] = media::dim(given, "encoder_hidden_size", 64) << down.size();
  j["upsampling_ratios"] = Json(std::vector<int64_t>(down.rbegin(), down.rend()));
  Config c(j, given.model_type());
  int64_t h = c.i("hidden_size"), dim = media::dim(c, "codebook_dim", 8), size = media::dim(c, "codebook_size", 1024);
  media::require(c, (size & (size - 1)) == 0, "codebook_size must be a power of 2");
  auto vq = make("DacVectorQuantize");
  vq->add("in_proj", media::conv1d(h, dim, 1));
  vq->add("out_proj", media::conv1d(dim, h, 1));
  vq->add("codebook", embedding(size, dim));
  auto rvq = make("DacResidualVectorQuantizer");
  rvq->add("quantizers", repeat(vq, media::count(c, "n_codebooks", 9)));
  auto m = make("DacModel");
  m->add("encoder", dac::encoder(c));
  m->add("decoder", dac::decoder(c));
  m->add("quantizer", rvq);
  return {m, {"DacResidualUnit"}};
}

MEMFIT_FAMILY({"dac"}, "Dac", build);

}  // namespace
}  // namespace memfit
