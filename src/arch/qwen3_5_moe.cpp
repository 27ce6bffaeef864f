// Qwen3.5-MoE: transformers' modeling_qwen3_5_moe.py. Qwen3_5MoeModel = a Qwen3-VL-style vision tower (`visual`:
// Conv3d patch embed, learned pos_embed, blocks of qkv attention + MLP, patch merger) and the Qwen3-Next-style text
// model (`language_model`, every layer sparse, split DeltaNet projections).
#include "arch/heads.h"
#include "arch/moe.h"
#include "arch/qwen3_next.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

const NextVariant kText{"Qwen3_5Moe", 248320, 40, 256, true, true};

ModulePtr vision(const Config& v) {
  int64_t h = moe::count(v, {"hidden_size"}, 1152), inter = moe::count(v, {"intermediate_size"}, 4304);
  int64_t heads = moe::count(v, {"num_heads"}, 16), depth = moe::count(v, {"depth"}, 27);
  int64_t ch = moe::count(v, {"in_channels"}, 3), patch = moe::count(v, {"patch_size"}, 16);
  int64_t tp = moe::count(v, {"temporal_patch_size"}, 2), merge = moe::count(v, {"spatial_merge_size"}, 2);
  int64_t out = moe::count(v, {"out_hidden_size"}, 3584), npos = moe::count(v, {"num_position_embeddings"}, 2304);
  std::string act = act_class(v.s("hidden_act", "gelu_pytorch_tanh"));

  auto pe = make("Qwen3_5MoeVisionPatchEmbed");
  pe->add("proj", make("Conv3d"))->param("weight", {h, ch, tp, patch, patch}).param("bias", {h});
  auto attn = make("Qwen3_5MoeVisionAttention");
  attn->add("qkv", linear(h, 3 * h));
  attn->add("proj", linear(h, h));
  auto mlp = make("Qwen3_5MoeVisionMLP");
  mlp->add("linear_fc1", linear(h, inter));
  mlp->add("linear_fc2", linear(inter, h));
  mlp->add("act_fn", leaf(act));
  auto block = make("Qwen3_5MoeVisionBlock");
  block->add("norm1", layer_norm(h));
  block->add("norm2", layer_norm(h));
  block->add("attn", attn);
  block->add("mlp", mlp);
  int64_t merged = h * merge * merge;
  auto merger = make("Qwen3_5MoeVisionPatchMerger");
  merger->add("norm", layer_norm(h));
  merger->add("linear_fc1", linear(merged, merged));
  merger->add("act_fn", leaf("GELU"));
  merger->add("linear_fc2", linear(merged, out));

  auto m = make("Qwen3_5MoeVisionModel");
  m->add("patch_embed", pe);
  m->add("pos_embed", embedding(npos, h));
  int64_t rot = (h / heads) / 2;  // VisionRotaryEmbedding(head_dim // 2): inv_freq over arange(0, dim, 2)
  m->add("rotary_pos_emb", make("Qwen3_5MoeVisionRotaryEmbedding"))->buffer("inv_freq", {(rot + 1) / 2}, DType::F32, false);
  m->add("blocks", repeat(block, depth));
  m->add("merger", merger);
  return m;
}

ModulePtr text_model(const Config& t, DecoderSpec* s) {
  auto m = qwen3_next_text(t, kText, s);
  m->cls = "Qwen3_5MoeTextModel";
  m->child("rotary_emb")->cls = "Qwen3_5MoeTextRotaryEmbedding";
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"Qwen3_5MoeDecoderLayer", "Qwen3_5MoeVisionBlock"};
  Config t = c.sub("text_config");
  DecoderSpec s;
  auto model = make("Qwen3_5MoeModel");
  model->add("visual", vision(c.sub("vision_config")));
  model->add("language_model", text_model(t, &s));
  Model m;
  if (cls == "Qwen3_5MoeModel") {
    m = {model, no_split};
  } else if (cls == "Qwen3_5MoeForConditionalGeneration") {
    auto root = make(std::string(cls));
    root->add("model", model);
    bool tied = heads::ties_embeddings(c, false);
    root->add("lm_head", heads::lm_head(s.hidden, s.vocab, tied, "model.language_model.embed_tokens.weight"));
    m = {root, no_split};
  } else {
    heads::unsupported(cls);
  }
  m.to_checkpoint = moe::split_experts();
  return m;
}

// The text-only checkpoints (model_type qwen3_5_moe_text): Qwen3_5MoeTextModel / Qwen3_5MoeForCausalLM.
Model build_text(const Config& c, std::string_view cls) {
  DecoderSpec s;
  auto text = text_model(c, &s);
  Model m = heads::base_or_causal_lm(cls, "Qwen3_5MoeTextModel", "Qwen3_5MoeForCausalLM", text, s.hidden, s.vocab,
                                     s.tie_embeddings, {"Qwen3_5MoeDecoderLayer"});
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"qwen3_5_moe"}, "Qwen3_5Moe", build);
MEMFIT_FAMILY({"qwen3_5_moe_text"}, "Qwen3_5Moe", build_text, "Qwen3_5MoeTextModel");

}  // namespace
}  // namespace memfit
