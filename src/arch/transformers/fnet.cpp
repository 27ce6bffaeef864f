// FNet: transformers' modeling_fnet.py. A BERT-shaped encoder whose self-attention is a parameter-free Fourier
// transform (FNetFourierTransform: `self` holds nothing, `output` a LayerNorm); the embeddings project their sum
// through a Linear. With use_tpu_fourier_optimizations (and max_position_embeddings <= 4096) the transform holds two
// complex64 DFT matrices as buffers, which need SciPy in transformers: memfit builds them.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr fnet_layer(const Config& c, int64_t h) {
  int64_t inter = media::dim(c, "intermediate_size", 3072);
  std::string act = act_class(c.s("hidden_act", "gelu_new"));
  auto transform = make("FNetBasicFourierTransform");
  if (c.b("use_tpu_fourier_optimizations", false) && c.i("max_position_embeddings", 512) <= 4096) {
    int64_t seq = media::dim(c, "tpu_short_seq_length", 512);
    media::require(c, h <= 65536 && seq <= 65536, "DFT matrices too large");
    transform->buffer("dft_mat_hidden", {h, h}, DType::C64);
    transform->buffer("dft_mat_seq", {seq, seq}, DType::C64);
  }
  auto basic_out = make("FNetBasicOutput");
  basic_out->add("LayerNorm", layer_norm(h));
  auto fourier = make("FNetFourierTransform");
  fourier->add("self", transform);
  fourier->add("output", basic_out);
  auto im = make("FNetIntermediate");
  im->add("dense", linear(h, inter));
  im->add("intermediate_act_fn", leaf(act));
  auto out = make("FNetOutput");
  out->add("dense", linear(inter, h));
  out->add("LayerNorm", layer_norm(h));
  out->add("dropout", leaf("Dropout"));
  auto l = make("FNetLayer");
  l->add("fourier", fourier);
  l->add("intermediate", im);
  l->add("output", out);
  return l;
}

ModulePtr fnet_model(const Config& c, bool pooler) {
  int64_t h = media::dim(c, "hidden_size", 768), vocab = media::dim(c, "vocab_size", 32000);
  int64_t pos = media::dim(c, "max_position_embeddings", 512), types = media::dim(c, "type_vocab_size", 4);
  auto emb = make("FNetEmbeddings");
  emb->add("word_embeddings", embedding(vocab, h));
  emb->add("position_embeddings", embedding(pos, h));
  emb->add("token_type_embeddings", embedding(types, h));
  emb->add("LayerNorm", layer_norm(h));
  emb->add("projection", linear(h, h));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, pos}, DType::I64, false);
  emb->buffer("token_type_ids", {1, pos}, DType::I64, false);
  auto enc = make("FNetEncoder");
  enc->add("layer", repeat(fnet_layer(c, h), media::count(c, "num_hidden_layers", 12)));
  auto m = make("FNetModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  if (pooler) {
    auto p = make("FNetPooler");
    p->add("dense", linear(h, h));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  // FNetPreTrainedModel declares no _no_split_modules: accelerate's largest layer is then any module's.
  if (cls == "FNetModel") return {fnet_model(c, true), {}};
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"fnet"}, "FNet", build);

}  // namespace
}  // namespace memfit
