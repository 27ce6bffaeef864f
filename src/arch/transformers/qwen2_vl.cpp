// Qwen2-VL and Qwen2.5-VL: transformers' modeling_qwen2_vl.py and modeling_qwen2_5_vl.py (a windowed ViT with a
// Conv3d patch embedding and a patch merger, plus a Qwen2-shaped text model with M-RoPE).
#include "arch/blocks.h"
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Qwen2VisionTransformerPretrainedModel (v2) / Qwen2_5_VisionTransformerPretrainedModel (v2.5).
ModulePtr vision(const Config& v, const std::string& p, bool v25) {
  int64_t embed = v25 ? v.i("hidden_size", 3584) : v.i("embed_dim", 1280);
  int64_t out = v25 ? v.i("out_hidden_size", 3584) : v.i("hidden_size", 3584);
  int64_t heads = v.i("num_heads", 16), depth = v.i("depth", 32), merge = v.i("spatial_merge_size", 2);
  int64_t patch = v.i("patch_size", 14), tpatch = v.i("temporal_patch_size", 2), in = v.i("in_channels", 3);
  if (embed <= 0 || heads <= 0 || out <= 0 || merge <= 0 || merge > 64 || depth < 0 || depth > 100000)
    v.missing("depth");
  std::string act = v.s("hidden_act", v25 ? "silu" : "quick_gelu");

  auto pe = make(v25 ? "Qwen2_5_VisionPatchEmbed" : "PatchEmbed");
  auto conv = make("Conv3d");
  conv->param("weight", {embed, in, tpatch, patch, patch});
  pe->add("proj", conv);
  auto rope = make(v25 ? "Qwen2_5_VisionRotaryEmbedding" : "VisionRotaryEmbedding");
  rope->buffer("inv_freq", {embed / heads / 4}, DType::F32, false);

  auto attn = make(v25 ? "Qwen2_5_VLVisionAttention" : "VisionAttention");
  attn->add("qkv", linear(embed, 3 * embed));
  attn->add("proj", linear(embed, embed));
  auto block = make(p + "VisionBlock");
  if (v25) {
    block->add("norm1", rms_norm(p + "RMSNorm", embed));
    block->add("norm2", rms_norm(p + "RMSNorm", embed));
    block->add("attn", attn);
    block->add("mlp", gated_mlp(p + "MLP", embed, v.i("intermediate_size", 3420), true, act_class(act)));
  } else {
    block->add("norm1", layer_norm(embed));
    block->add("norm2", layer_norm(embed));
    block->add("attn", attn);
    auto mlp = make("VisionMlp");
    int64_t hidden = embed * v.i("mlp_ratio", 4);
    mlp->add("fc1", linear(embed, hidden));
    mlp->add("act", leaf(act_class(act)));
    mlp->add("fc2", linear(hidden, embed));
    block->add("mlp", mlp);
  }
  int64_t ctx = embed * merge * merge;
  auto merger = make(v25 ? "Qwen2_5_VLPatchMerger" : "PatchMerger");
  merger->add("ln_q", v25 ? rms_norm(p + "RMSNorm", embed) : layer_norm(embed));
  auto mlp = make("Sequential");
  mlp->add("0", linear(ctx, ctx));
  mlp->add("1", leaf("GELU"));
  mlp->add("2", linear(ctx, out));
  merger->add("mlp", mlp);

  auto m = make(v25 ? "Qwen2_5_VisionTransformerPretrainedModel" : "Qwen2VisionTransformerPretrainedModel");
  m->add("patch_embed", pe);
  m->add("rotary_pos_emb", rope);
  m->add("blocks", repeat(block, depth));
  m->add("merger", merger);
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& p, bool v25) {
  // Qwen2VLTextConfig's defaults; Hub configs often keep the text keys flat at the top level.
  Json defaults{{"vocab_size", 152064}, {"hidden_size", 8192},        {"intermediate_size", 29568},
                {"num_hidden_layers", 80}, {"num_attention_heads", 64}, {"num_key_value_heads", 8}};
  SubConfig tc = c.opt_sub("text_config") ? sub_config(c, "text_config", defaults, c.model_type())
                                          : make_config(defaults, c.raw(), c.model_type());
  SubConfig vc = sub_config(c, "vision_config", Json::object(), c.model_type());
  DecoderSpec s = read_decoder(tc.c, p);
  s.head_dim = s.hidden / s.heads;
  s.qkv_bias = true;

  auto text = decoder_model(s);
  text->cls = p + "TextModel";
  auto m = make(p + "Model");
  m->add("visual", vision(vc.c, p, v25));
  m->add("language_model", text);
  Model base{m, {p + "DecoderLayer", p + "VisionBlock"}};
  if (cls == p + "Model") return base;
  if (cls != p + "ForConditionalGeneration") heads::unsupported(cls);
  Model out = conditional_generation(std::string(cls), base, s.hidden, s.vocab, c.b("tie_word_embeddings", false));
  out.to_checkpoint = rename_mapping({{R"(^model\.language_model\.)", "model."}, {R"(^model\.visual\.)", "visual."}});
  return out;
}

// The text model on its own (a qwen2_vl_text / qwen2_5_vl_text config): <P>TextModel.
Model build_text(const Config& c, std::string_view cls, const std::string& p) {
  if (cls != p + "TextModel") heads::unsupported(cls);
  DecoderSpec s = read_decoder(c, p);
  s.head_dim = s.hidden / s.heads;
  s.qkv_bias = true;
  auto text = decoder_model(s);
  text->cls = p + "TextModel";
  return {text, {p + "DecoderLayer", p + "VisionBlock"}};
}

MEMFIT_FAMILY({"qwen2_vl_text"}, "Qwen2VL",
              [](const Config& c, std::string_view cls) { return build_text(c, cls, "Qwen2VL"); }, "Qwen2VLTextModel");
MEMFIT_FAMILY({"qwen2_5_vl_text"}, "Qwen2_5_VL",
              [](const Config& c, std::string_view cls) { return build_text(c, cls, "Qwen2_5_VL"); },
              "Qwen2_5_VLTextModel");
MEMFIT_FAMILY({"qwen2_vl"}, "Qwen2VL", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Qwen2VL", false);
});
MEMFIT_FAMILY({"qwen2_5_vl"}, "Qwen2_5_VL", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Qwen2_5_VL", true);
});

}  // namespace
}  // namespace memfit
