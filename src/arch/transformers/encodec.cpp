// EnCodec: transformers' modeling_encodec.py. A SEANet conv encoder/decoder (weight-normed or time-group-normed
// Conv1d / ConvTranspose1d, residual blocks, an LSTM at the bottleneck) and a residual vector quantizer whose
// codebooks are buffers (inited, cluster_size, embed, embed_avg). Each EncodecConv1d also keeps its stride,
// effective kernel size and total padding as non-persistent int64 scalar buffers.
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/audio_codec.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/seanet.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// EncodecConv1d / EncodecConvTranspose1d: `conv` (weight-normed, or plain with a GroupNorm(1, out) `norm`).
ModulePtr conv(bool wn, int64_t in, int64_t out, int64_t k, bool transpose) {
  auto m = make(transpose ? "EncodecConvTranspose1d" : "EncodecConv1d");
  if (wn) m->add("conv", transpose ? audio::wn_conv_transpose1d(in, out, k) : audio::wn_conv1d(in, out, k));
  else m->add("conv", transpose ? audio::conv_transpose1d(in, out, k) : media::conv1d(in, out, k));
  if (!wn) m->add("norm", layer_norm(out, true, "GroupNorm"));
  if (!transpose)
    for (const char* b : {"stride", "kernel_size", "padding_total"}) m->buffer(b, {}, DType::I64, false);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "EncodecModel") heads::unsupported(cls);
  std::string norm = c.s("norm_type", "weight_norm");
  media::require(c, norm == "weight_norm" || norm == "time_group_norm", "norm_type must be weight_norm or time_group_norm");
  bool wn = norm == "weight_norm";
  auto s = seanet::read(c, "Encodec", {8, 5, 4, 2}, media::count(c, "num_lstm_layers", 2));
  seanet::Conv cv = [wn](int64_t in, int64_t out, int64_t k, bool t) { return conv(wn, in, out, k, t); };
  const auto& ratios = s.ratios;
  int64_t h = s.hidden;

  int64_t size = media::dim(c, "codebook_size", 1024), dim = media::dim(c, "codebook_dim", h);
  double hop = 1;
  for (int64_t r : ratios) hop *= static_cast<double>(r);
  int64_t nq = audio::codec_quantizers(c, hop, media::dim(c, "sampling_rate", 24000), size, 24.0);
  auto book = make("EncodecEuclideanCodebook");
  book->buffer("inited", {1}, DType::F32).buffer("cluster_size", {size}, DType::F32);
  book->buffer("embed", {size, dim}, DType::F32).buffer("embed_avg", {size, dim}, DType::F32);
  auto vq = make("EncodecVectorQuantization");
  vq->add("codebook", book);
  auto q = make("EncodecResidualVectorQuantizer");
  q->add("layers", repeat(vq, nq));

  auto m = make("EncodecModel");
  m->add("encoder", seanet::encoder(s, cv));
  m->add("decoder", seanet::decoder(s, cv));
  m->add("quantizer", q);
  return {m, {}};
}

MEMFIT_FAMILY({"encodec"}, "Encodec", build);

}  // namespace
}  // namespace memfit
