// Janus: transformers' modeling_janus.py JanusModel. A SigLIP-shaped vision model (biased patch conv, q/k/v_proj +
// projection_layer attention with optional q/k LayerNorms, fc1/fc2 MLP of hidden * mlp_ratio, post_layernorm), the
// aligner MLP (fc1 + depth - 1 hidden Linears), the VQ-GAN (`vqmodel`: a GroupNorm/conv ResNet encoder with
// attention at the lowest resolution, the codebook, quant/post-quant 1x1 convs, the mirrored decoder), the image
// generation embeddings, aligner and head, and the language model AutoModel builds from text_config (Llama).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vision_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 1024), patch = media::dim(v, "patch_size", 16);
  int64_t positions = (media::dim(v, "image_size", 384) / patch) * (media::dim(v, "image_size", 384) / patch);
  int64_t inter = static_cast<int64_t>(static_cast<double>(h) * v.f("mlp_ratio", 4.0));
  media::require(v, inter > 0 && inter <= media::kMaxDim, "mlp_ratio out of range");
  bool bias = v.b("attention_bias", true), qk_norm = v.b("use_qk_norm", false);
  auto emb = make("JanusVisionEmbeddings");
  emb->add("patch_embedding", conv2d(media::dim(v, "num_channels", 3), h, patch));
  emb->add("position_embedding", embedding(positions, h));
  emb->buffer("position_ids", {1, positions}, DType::I64, false);
  auto attn = make("JanusVisionAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(h, h, bias));
  attn->add("projection_layer", linear(h, h));
  attn->add("projection_dropout", leaf(v.f("projection_dropout", 0.0) > 0 ? "Dropout" : "Identity"));
  attn->add("q_norm", qk_norm ? layer_norm(h) : leaf("Identity"));
  attn->add("k_norm", qk_norm ? layer_norm(h) : leaf("Identity"));
  auto mlp = make("JanusVisionMLP");
  mlp->add("activation_fn", leaf(act_class(v.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  mlp->add("dropout1", leaf("Dropout"));
  mlp->add("dropout2", leaf("Dropout"));
  auto layer = make("JanusVisionEncoderLayer");
  layer->add("layer_norm1", layer_norm(h));
  layer->add("self_attn", attn);
  layer->add("layer_norm2", layer_norm(h));
  layer->add("mlp", mlp);
  auto enc = make("JanusVisionEncoder");
  enc->add("layers", repeat(layer, media::count(v, "num_hidden_layers", 24)));
  auto m = make("JanusVisionModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("post_layernorm", layer_norm(h));
  return m;
}

// An MLP of fc1 (in -> dim) then `layers - 1` Linears (dim -> dim).
ModulePtr aligner(const std::string& cls, const Config& c, int64_t in, int64_t dim, int64_t layers) {
  auto m = make(cls);
  m->add("fc1", linear(in, dim));
  m->add("hidden_layers", repeat(linear(dim, dim), std::max<int64_t>(0, layers - 1)));
  m->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  return m;
}

ModulePtr group_norm(int64_t ch) { return layer_norm(ch, true, "GroupNorm"); }

ModulePtr resnet_block(int64_t in, int64_t out) {
  auto b = make("JanusVQVAEResnetBlock");
  b->add("norm1", group_norm(in));
  b->add("conv1", conv2d(in, out, 3));
  b->add("norm2", group_norm(out));
  b->add("dropout", leaf("Dropout"));
  b->add("conv2", conv2d(out, out, 3));
  if (in != out) b->add("nin_shortcut", conv2d(in, out, 1));
  return b;
}

ModulePtr attn_block(int64_t ch) {
  auto a = make("JanusVQVAEAttnBlock");
  a->add("norm", group_norm(ch));
  for (const char* n : {"q", "k", "v", "proj_out"}) a->add(n, conv2d(ch, ch, 1));
  return a;
}

ModulePtr mid_block(int64_t ch) {
  auto m = make("JanusVQVAEMidBlock");
  m->add("block_1", resnet_block(ch, ch));
  m->add("attn_1", attn_block(ch));
  m->add("block_2", resnet_block(ch, ch));
  return m;
}

// The encoder (`decoder` false) or the decoder of JanusVQVAE.
ModulePtr coder(const Config& q, bool decoder) {
  int64_t base = media::dim(q, "base_channels", 128), latent = media::dim(q, "latent_channels", 256);
  int64_t res_blocks = media::count(q, "num_res_blocks", 2);
  auto mult = media::dims(q, "channel_multiplier", {1, 1, 2, 2, 4});
  media::require(q, !mult.empty() && mult.size() <= 16, "channel_multiplier length out of range");
  auto n = static_cast<int64_t>(mult.size());
  for (int64_t m : mult) media::require(q, base * m <= media::kMaxDim, "channel_multiplier too large");
  auto levels = make("ModuleList");
  int64_t block_in = decoder ? base * mult.back() : base;
  for (int64_t k = 0; k < n; ++k) {
    int64_t level = decoder ? n - 1 - k : k;
    if (!decoder) block_in = base * (level == 0 ? 1 : mult[level - 1]);
    int64_t block_out = base * mult[level];
    auto blocks = make("ModuleList"), attns = make("ModuleList");
    for (int64_t b = 0; b < res_blocks + (decoder ? 1 : 0); ++b) {
      blocks->add(std::to_string(b), resnet_block(block_in, block_out));
      block_in = block_out;
      if (level == n - 1) attns->add(std::to_string(b), attn_block(block_in));
    }
    auto stage = make("Module");
    stage->add("block", blocks);
    stage->add("attn", attns);
    if (decoder ? level != 0 : level != n - 1) {
      auto s = make(decoder ? "JanusVQVAEConvUpsample" : "JanusVQVAEConvDownsample");
      s->add("conv", conv2d(block_in, block_in, 3));
      stage->add(decoder ? "upsample" : "downsample", s);
    }
    levels->add(std::to_string(k), stage);
  }
  auto m = make(decoder ? "JanusVQVAEDecoder" : "JanusVQVAEEncoder");
  if (decoder) {
    m->add("conv_in", conv2d(latent, base * mult.back(), 3));
    m->add("mid", mid_block(base * mult.back()));
    m->add("up", levels);
    m->add("norm_out", group_norm(block_in));
    m->add("conv_out", conv2d(block_in, media::dim(q, "out_channels", 3), 3));
  } else {
    m->add("conv_in", conv2d(media::dim(q, "in_channels", 3), base, 3));
    m->add("down", levels);
    m->add("mid", mid_block(block_in));
    m->add("norm_out", group_norm(block_in));
    m->add("conv_out", conv2d(block_in, (q.b("double_latent", false) ? 2 : 1) * latent, 3));
  }
  return m;
}

ModulePtr vqvae(const Config& q) {
  int64_t embed = media::dim(q, "embed_dim", 8), latent = media::dim(q, "latent_channels", 256);
  auto quant = make("JanusVQVAEVectorQuantizer");
  quant->add("embedding", embedding(media::dim(q, "num_embeddings", 16384), embed));
  auto m = make("JanusVQVAE");
  m->add("encoder", coder(q, false));
  m->add("quantize", quant);
  m->add("quant_conv", conv2d(latent, embed, 1));
  m->add("post_quant_conv", conv2d(embed, latent, 1));
  m->add("decoder", coder(q, true));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "janus_vision_model"}}, "janus_vision_model");
  SubConfig qc = sub_config(c, "vq_config", {{"model_type", "janus_vqgan"}}, "janus_vqgan");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "llama"}}, "llama");
  Model text = auto_model(tc.c);
  int64_t vproj = media::dim(vc.c, "projection_dim", 2048), qproj = media::dim(qc.c, "projection_dim", 2048);
  int64_t embed = media::dim(qc.c, "embed_dim", 8), codes = media::dim(qc.c, "num_embeddings", 16384);
  auto head = make("JanusVQVAEHead");
  head->add("proj_out", linear(media::dim(qc.c, "image_token_embed_dim", 2048), qproj));
  head->add("activation_fn", leaf(act_class(qc.c.s("hidden_act", "gelu"))));
  head->add("vision_head", linear(qproj, codes));
  auto m = make("JanusModel");
  m->add("vision_model", vision_model(vc.c));
  m->add("aligner", aligner("JanusVisionAlignerMLP", vc.c, media::dim(vc.c, "hidden_size", 1024), vproj,
                            media::count(vc.c, "depth", 2)));
  m->add("vqmodel", vqvae(qc.c));
  m->add("generation_embeddings", embedding(codes, embed));
  m->add("generation_aligner", aligner("JanusVQVAEAlignerMLP", qc.c, embed, qproj,
                                       media::count(qc.c, "num_hidden_layers", 2)));
  m->add("generation_head", head);
  m->add("language_model", text.root);
  Model base{m, {"JanusVQVAEAttnBlock", "JanusVQVAEResnetBlock", "JanusVQVAEVectorQuantizer", "JanusVisionEncoderLayer"}};
  merge_no_split(base.no_split, text.no_split);
  if (cls == "JanusModel") return base;
  if (cls != "JanusForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, tc.c.i("hidden_size"), tc.c.i("vocab_size"),
                                c.b("tie_word_embeddings", true));
}

MEMFIT_FAMILY({"janus"}, "Janus", build);

}  // namespace
}  // namespace memfit
