// Hand-checked text decoders registered by the multimodal families: Persimmon (Fuyu's text model) and Gemma3's
// text-only model, built from published configs and checked against parameter counts derived from the modeling code.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

Json persimmon_8b() {  // adept/persimmon-8b-base
  return Json::parse(R"({"model_type": "persimmon", "architectures": ["PersimmonForCausalLM"],
    "vocab_size": 262144, "hidden_size": 4096, "intermediate_size": 16384, "num_hidden_layers": 36,
    "num_attention_heads": 64, "hidden_act": "relu2", "qk_layernorm": true, "partial_rotary_factor": 0.5,
    "tie_word_embeddings": false})");
}

Json gemma3_1b() {  // google/gemma-3-1b-it (text-only gemma3_text)
  return Json::parse(R"({"model_type": "gemma3_text", "architectures": ["Gemma3ForCausalLM"],
    "vocab_size": 262144, "hidden_size": 1152, "intermediate_size": 6912, "num_hidden_layers": 26,
    "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 256, "sliding_window": 512,
    "hidden_activation": "gelu_pytorch_tanh", "query_pre_attn_scalar": 256})");
}

TEST(Persimmon, CausalLMParameterCount) {
  auto b = build_transformers(persimmon_8b(), Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "PersimmonForCausalLM");
  // Per layer: query_key_value 4096*12288+12288, dense 4096*4096+4096, q/k_layernorm 2*(64+64),
  // dense_h_to_4h 4096*16384+16384, dense_4h_to_h 16384*4096+4096, two LayerNorms 2*8192
  //   = 50,343,936 + 16,781,312 + 256 + 67,125,248 + 67,112,960 + 16,384 = 201,380,096; x36 = 7,249,683,456.
  // embed_tokens 262144*4096 = 1,073,741,824, final_layernorm 8192, lm_head (untied) 1,073,741,824.
  EXPECT_EQ(measure(b->model).parameters, 7'249'683'456ull + 1'073'741'824ull + 8'192ull + 1'073'741'824ull);
  // Partial rotary: head_dim 64 * 0.5 = 32 rotary dims -> 16 inverse frequencies.
  auto rope = b->model.root->child("model")->child("rotary_emb");
  ASSERT_NE(rope, nullptr);
  EXPECT_EQ(rope->buffers[0].second.shape, std::vector<int64_t>{16});
}

TEST(Gemma3Text, CausalLMParameterCount) {
  auto b = build_transformers(gemma3_1b(), Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "Gemma3ForCausalLM");
  // Per layer: q 1152*1024, k and v 1152*256 each, o 1024*1152, q/k_norm 256 each, MLP 3*1152*6912, 4 norms of 1152
  //   = 2,359,296 + 589,824 + 512 + 23,887,872 + 4,608 = 26,842,112; x26 = 697,894,912.
  // embed_tokens 262144*1152 = 301,989,888 (lm_head tied), final norm 1,152: 999,885,952 (gemma-3-1b's ~1B).
  EXPECT_EQ(measure(b->model).parameters, 999'885'952ull);
  // Sliding and full attention layers each get an inv_freq pair; embed_scale is a scalar buffer.
  auto text = b->model.root->child("model");
  EXPECT_EQ(text->child("rotary_emb")->buffers.size(), 4u);
  EXPECT_EQ(text->child("embed_tokens")->buffers[0].first, "embed_scale");
}

TEST(Gemma4, AudioTowerParameterCount) {
  // Gemma4AudioConfig's defaults (the audio tower of the gemma-4 E2B/E4B checkpoints), under a small text model.
  auto cfg = Json::parse(R"({"model_type": "gemma4", "architectures": ["Gemma4ForConditionalGeneration"],
    "text_config": {"hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2, "num_attention_heads": 2,
                    "num_key_value_heads": 1, "head_dim": 64, "global_head_dim": 64, "vocab_size": 1000,
                    "hidden_size_per_layer_input": 0},
    "audio_config": {"model_type": "gemma4_audio"}})");
  auto b = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  auto model = b->model.root->child("model");
  ASSERT_NE(model->child("audio_tower"), nullptr);
  EXPECT_EQ(model->child("vision_tower"), nullptr);
  // Subsampling: conv 128*1*9 + LayerNorm(128, no bias) + conv 32*128*9 + LayerNorm(32) + Linear(32*32 -> 1024)
  //   = 1,152 + 128 + 36,864 + 32 + 1,048,576 = 1,086,752.
  // Per layer (h=1024): two feed-forwards 2*(2*1024*4096 + 2*1024) = 16,781,312; attention q/k/v/post 4*1024^2 +
  //   relative_k_proj 1024^2 + per_dim_scale 128 = 5,243,008; light conv 1024*2048 + 1024^2 + depthwise 1024*5 +
  //   2*1024 = 3,152,896; three norms 3,072: 25,180,288, x12 = 302,163,456.
  // output_proj 1024*1536 + 1536 = 1,574,400. Total 304,824,608.
  EXPECT_EQ(measure(Model{model->child("audio_tower"), {}}).parameters, 304'824'608ull);
  // Clipped linears (the audio default) carry four scalar bounds each: 10 per layer.
  EXPECT_EQ(measure(Model{model->child("audio_tower"), {}}).buffer_bits,
            12ull * 10 * 4 * 32 + 512 * 32 /* inv_timescales */ + 12 * 32 /* softcap */);
  // embed_audio projects output_proj_dims (1536) into the text width.
  EXPECT_EQ(model->child("embed_audio")->child("embedding_projection")->params[0].second.shape,
            (std::vector<int64_t>{256, 1536}));
}

TEST(Multimodal, HostileNestedConfigsFailCleanly) {
  // A vision_config that is not an object, and a zero head count, are errors, not crashes.
  auto bad = Json::parse(R"({"model_type": "llava", "vision_config": 3})");
  auto r = build_transformers(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::BadInput);
  auto zero = Json::parse(R"({"model_type": "qwen2_vl", "vision_config": {"num_heads": 0}})");
  EXPECT_FALSE(build_transformers(zero));
  auto deep = Json::parse(R"({"model_type": "gemma4", "text_config": {"num_hidden_layers": 100000000}})");
  EXPECT_FALSE(build_transformers(deep));
}

}  // namespace
