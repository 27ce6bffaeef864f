// CSM (Sesame's conversational speech model): transformers' modeling_csm.py. AutoModel builds
// CsmForConditionalGeneration: lm_head (hidden -> codebook vocab), embed_text_tokens, backbone_model (Llama-style
// CsmDecoderLayers over CsmBackboneModelEmbeddings: one audio table [num_codebooks x vocab_size, hidden] and a
// non-persistent int64 audio_tokens_offsets [num_codebooks]), depth_decoder (CsmDepthDecoderForCausalLM: a smaller
// stack whose embed_tokens is backbone-wide, an inputs_embeds_projector backbone -> hidden, and a CsmCodebooksHead
// Parameter [num_codebooks - 1, hidden, vocab]) and codec_model, the Mimi codec AutoModel builds from codec_config.
// With tie_word_embeddings the backbone's audio table and the depth decoder's embed_tokens are one tensor.
#include <fmt/format.h>

#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// CsmDecoderLayers, final norm and rotary_emb of a Llama-shaped stack, under `root`.
void stack(const Config& c, Module& root) {
  DecoderSpec s = read_decoder(c, "Csm");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  root.add("layers", repeat(decoder_layer(s), checked(c, "num_hidden_layers", s.layers, media::kMaxCount)));
  root.add("norm", rms_norm("CsmRMSNorm", s.hidden));
  root.add("rotary_emb", rotary("CsmRotaryEmbedding", s.head_dim));
}

// The codec AutoModel builds (Mimi); an approximate answer for a codec memfit lacks is refused, not guessed.
Model codec(const Config& cc) {
  auto built = build_transformers(cc.raw());
  if (!built || built->approximate)
    throw UnsupportedClass(fmt::format("CSM's codec_model (model_type `{}`) is not supported yet", cc.model_type()));
  return std::move(built->model);
}

MEMFIT_FAMILY({"csm"}, "Csm", [](const Config& c, std::string_view cls) {
  if (cls != "CsmForConditionalGeneration") heads::unsupported(cls);
  SubConfig dc = sub_config(c, "depth_decoder_config", {{"model_type", "csm_depth_decoder_model"}},
                            "csm_depth_decoder_model");
  SubConfig cc = sub_config(c, "codec_config", {{"model_type", "mimi"}}, "mimi");
  const int64_t h = media::dim(c, "hidden_size", 2048), vocab = media::dim(c, "vocab_size", 2051);
  const int64_t books = media::dim(c, "num_codebooks", 32);
  const bool tied = c.b("tie_word_embeddings", false);

  auto emb = make("CsmBackboneModelEmbeddings");
  emb->add("embed_audio_tokens", embedding(books * vocab, h));
  emb->buffer("audio_tokens_offsets", {books}, DType::I64, false);
  auto backbone = make("CsmBackboneModel");
  backbone->add("embed_tokens", emb);
  stack(c, *backbone);

  const int64_t dh = media::dim(dc.c, "hidden_size", 1024), dvocab = media::dim(dc.c, "vocab_size", 2051);
  const int64_t dbooks = media::dim(dc.c, "num_codebooks", 32), bh = media::dim(dc.c, "backbone_hidden_size", 2048);
  auto depth = make("CsmDepthDecoderModel");
  // The tie makes the backbone's table the depth decoder's; the backbone's name comes first, so it owns the tensor.
  auto depth_emb = make("Embedding");
  if (tied && dbooks * dvocab == books * vocab && bh == h)
    depth_emb->tie("weight", {dbooks * dvocab, bh}, "backbone_model.embed_tokens.embed_audio_tokens.weight");
  else
    depth_emb->param("weight", {dbooks * dvocab, bh});
  depth->add("embed_tokens", depth_emb);
  stack(dc.c, *depth);
  depth->add("inputs_embeds_projector", linear(bh, dh, false));
  auto books_head = make("CsmCodebooksHead");
  books_head->param("weight", {dbooks - 1, dh, dvocab});
  auto depth_lm = make("CsmDepthDecoderForCausalLM");
  depth_lm->add("model", depth);
  depth_lm->add("codebooks_head", books_head);

  Model codec_model = codec(cc.c);
  auto root = make("CsmForConditionalGeneration");
  root->add("lm_head", linear(h, vocab, false));
  root->add("embed_text_tokens", embedding(media::dim(c, "text_vocab_size", 128256), h));
  root->add("backbone_model", backbone);
  root->add("depth_decoder", depth_lm);
  root->add("codec_model", codec_model.root);
  Model m{root, {"CsmDecoderLayer"}};
  merge_no_split(m.no_split, codec_model.no_split);
  return m;
}, "CsmForConditionalGeneration");

}  // namespace
}  // namespace memfit
