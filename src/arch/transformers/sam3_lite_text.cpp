// SAM 3 Lite-Text's text encoder (sam3_lite_text_text_model, modeling_sam3_lite_text.py): token and learned position
// embeddings, CLIP-style encoder layers with RepMixer blocks (MobileOne depthwise convs, batch norms and a 1x1-conv
// MLP, with layer scales) as the first and last layer when use_repmixer_blocks, a final LayerNorm and a projection.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/seq2seq.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  if (cls != "Sam3LiteTextTextModel") heads::unsupported(cls);
  const std::string p = "Sam3LiteText";
  const int64_t h = c.i("hidden_size", 512), inter = c.i("intermediate_size", 2048), k = c.i("repmixer_kernel_size", 11);
  const int64_t layers = checked_count(c.i("num_hidden_layers", 12));
  const std::string act = act_class(c.s("hidden_act", "gelu"));
  auto depthwise = [&] { return conv2d(h, h, 1, k, false, h); };

  auto mixer = make(p + "MobileOneBlock");
  mixer->add("batchnorm_skip", batch_norm(h));
  mixer->add("conv", depthwise());
  mixer->add("batchnorm_conv", batch_norm(h));
  auto token_mixer = make(p + "RepMixer");
  token_mixer->param("layer_scale", {h, 1, 1});
  token_mixer->add("reference_batchnorm", batch_norm(h));
  token_mixer->add("mixer", mixer);
  auto conv_mlp = make(p + "ConvMLP");
  conv_mlp->add("activation_fn", leaf(act));
  conv_mlp->add("fc1", conv2d(h, inter, 1));
  conv_mlp->add("fc2", conv2d(inter, h, 1));
  auto cff = make(p + "ConvolutionalFeedForward");
  cff->add("depthwise_conv", depthwise());
  cff->add("depthwise_batchnorm", batch_norm(h));
  cff->add("mlp", conv_mlp);
  auto rep = make(p + "RepMixerBlock");
  rep->param("layer_scale", {h, 1, 1});
  rep->add("token_mixer", token_mixer);
  rep->add("conv_feed_forward", cff);

  auto mlp = make(p + "TextMLP");
  mlp->add("activation_fn", leaf(act));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto enc = make(p + "TextEncoderLayer");
  enc->add("layer_norm1", layer_norm(h));
  enc->add("self_attn", seq2seq::attention(p + "TextAttention", h));
  enc->add("layer_norm2", layer_norm(h));
  enc->add("mlp", mlp);

  const bool reps = c.b("use_repmixer_blocks", true);
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < layers; ++i) ls.push_back(reps && (i == 0 || i == layers - 1) ? rep : enc);
  auto pos = make(p + "TextPositionEmbedding");
  pos->param("position_embedding", {1, 1, c.i("max_position_embeddings", 77), h});
  auto emb = make(p + "TextEmbeddings");
  emb->add("token_embedding", embedding(c.i("vocab_size", 49408), h));
  emb->add("position_embedding", pos);
  auto m = make("Sam3LiteTextTextModel");
  m->add("embeddings", emb);
  m->add("layers", module_list(std::move(ls)));
  m->add("final_layer_norm", layer_norm(h));
  m->add("projection", linear(h, c.i("projection_dim", 512), false));
  return {m, {}};
}

MEMFIT_FAMILY({"sam3_lite_text_text_model"}, "Sam3LiteTextText", build, "Sam3LiteTextTextModel");

}  // namespace
}  // namespace memfit
