// Qwen3-VL: transformers' modeling_qwen3_vl.py. Qwen3VLModel = the vision tower (`visual`: Conv3d patch embed,
// learned pos_embed, blocks of LayerNorm + qkv attention + MLP, a patch merger and the deepstack mergers) and
// Qwen3VLTextModel (`language_model`: Qwen3's layers with per-head q/k norms, multimodal RoPE over head_dim).
#include "arch/transformers/qwen3_vl.h"

#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
using namespace blocks;

ModulePtr qwen3_vl_vision(const Config& v, const std::string& p, bool deepstack) {
  int64_t h = moe::count(v, {"hidden_size"}, 1152), inter = moe::count(v, {"intermediate_size"}, 4304);
  int64_t heads = moe::count(v, {"num_heads"}, 16), depth = moe::count(v, {"depth"}, 27);
  int64_t ch = moe::count(v, {"in_channels"}, 3), patch = moe::count(v, {"patch_size"}, 16);
  int64_t tp = moe::count(v, {"temporal_patch_size"}, 2), merge = moe::count(v, {"spatial_merge_size"}, 2);
  int64_t out = moe::count(v, {"out_hidden_size"}, 3584), npos = moe::count(v, {"num_position_embeddings"}, 2304);
  std::string act = act_class(v.s("hidden_act", "gelu_pytorch_tanh"));

  auto pe = make(p + "VisionPatchEmbed");
  pe->add("proj", make("Conv3d"))->param("weight", {h, ch, tp, patch, patch}).param("bias", {h});
  auto attn = make(p + "VisionAttention");
  attn->add("qkv", linear(h, 3 * h));
  attn->add("proj", linear(h, h));
  auto mlp = make(p + "VisionMLP");
  mlp->add("linear_fc1", linear(h, inter));
  mlp->add("linear_fc2", linear(inter, h));
  mlp->add("act_fn", leaf(act));
  auto block = make(p + "VisionBlock");
  block->add("norm1", layer_norm(h));
  block->add("norm2", layer_norm(h));
  block->add("attn", attn);
  block->add("mlp", mlp);
  int64_t merged = h * merge * merge;
  auto merger_of = [&](int64_t norm_dim) {
    auto merger = make(p + "VisionPatchMerger");
    merger->add("norm", layer_norm(norm_dim));
    merger->add("linear_fc1", linear(merged, merged));
    merger->add("act_fn", leaf("GELU"));
    merger->add("linear_fc2", linear(merged, out));
    return merger;
  };

  auto m = make(p + "VisionModel");
  m->add("patch_embed", pe);
  m->add("pos_embed", embedding(npos, h));
  int64_t rot = (h / heads) / 2;  // VisionRotaryEmbedding(head_dim // 2): inv_freq over arange(0, dim, 2)
  m->add("rotary_pos_emb", make(p + "VisionRotaryEmbedding"))->buffer("inv_freq", {(rot + 1) / 2}, DType::F32, false);
  m->add("blocks", repeat(block, depth));
  m->add("merger", merger_of(h));
  if (deepstack) {
    std::vector<int64_t> at = v.has("deepstack_visual_indexes") ? v.ints("deepstack_visual_indexes")
                                                                 : std::vector<int64_t>{8, 16, 24};
    m->add("deepstack_merger_list", repeat(merger_of(merged), static_cast<int64_t>(at.size())));
  }
  return m;
}

namespace {

Model text_model(const Config& t, std::string_view cls) {
  DecoderSpec s = read_decoder(t, "Qwen3VLText");
  s.qkv_bias = s.o_bias = t.b("attention_bias", false);
  s.qk_norm = true;
  Model m = decoder_for(s, cls);
  m.no_split.push_back("Qwen3VLVisionBlock");
  return m;
}

// `p`: "Qwen3VL" or "Qwen3VLMoe" (whose text model is Qwen3-MoE's tree).
Model build(const Config& c, std::string_view cls, const std::string& p) {
  std::string vision_type = p == "Qwen3VL" ? "qwen3_vl_vision" : "qwen3_vl_moe_vision";
  std::string text_type = p == "Qwen3VL" ? "qwen3_vl_text" : "qwen3_vl_moe_text";
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", vision_type}}, vision_type);
  SubConfig tc = sub_config(c, "text_config", {{"model_type", text_type}}, text_type);
  Model text = auto_model(tc.c);
  auto m = make(p + "Model");
  m->add("visual", qwen3_vl_vision(vc.c, p, true));
  m->add("language_model", text.root);
  Model base{m, {p + "TextDecoderLayer", p + "VisionBlock"}};
  if (cls == p + "Model") return base;
  if (cls != p + "ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, tc.c.i("hidden_size"), tc.c.i("vocab_size"),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"qwen3_vl"}, "Qwen3VL", [](const Config& c, std::string_view cls) { return build(c, cls, "Qwen3VL"); });
MEMFIT_FAMILY({"qwen3_vl_moe"}, "Qwen3VLMoe",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Qwen3VLMoe"); });
MEMFIT_FAMILY({"qwen3_vl_text"}, "Qwen3VLText", text_model);
MEMFIT_FAMILY({"qwen3_vl_vision"}, "Qwen3VLVision", [](const Config& c, std::string_view cls) {
  if (cls != "Qwen3VLVisionModel") heads::unsupported(cls);
  return Model{qwen3_vl_vision(c, "Qwen3VL", true), {"Qwen3VLVisionBlock"}};
});

MEMFIT_FAMILY({"qwen3_vl_moe_vision"}, "Qwen3VLMoeVision", [](const Config& c, std::string_view cls) {
  if (cls != "Qwen3VLMoeVisionModel") heads::unsupported(cls);
  return Model{qwen3_vl_vision(c, "Qwen3VLMoe", true), {"Qwen3VLMoeTextDecoderLayer", "Qwen3VLMoeVisionBlock"}};
});

}  // namespace
}  // namespace memfit
