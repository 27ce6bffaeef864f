// KV cache per architecture: the definitional bytes per token, and the terms moving as they must.
#include "fit/kv_cache.h"

#include <gtest/gtest.h>

#include "source/catalog.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

KvLayout layout(const char* id) {
  const CatalogEntry* e = find_in_catalog(id);
  EXPECT_NE(e, nullptr) << id;
  auto j = parse_json(e->config, id);
  EXPECT_TRUE(j.has_value());
  auto l = kv_layout_from_config(*j);
  EXPECT_TRUE(l.has_value()) << (l ? "" : l.error().message);
  return *l;
}

TEST(KvCache, DefinitionalBytesPerToken) {
  auto fp16 = *kv_type("fp16"), bf16 = *kv_type("bf16");
  EXPECT_EQ(kv_bytes_per_token(layout("meta-llama/Llama-2-7b-hf"), fp16, 1, KvEngine::Hf), 524288u);
  EXPECT_EQ(kv_bytes_per_token(layout("meta-llama/Meta-Llama-3-8B"), bf16, 1, KvEngine::Hf), 131072u);
  // MLA: one latent of kv_lora_rank + qk_rope_head_dim = 576 values per layer, 61 layers, 2 bytes.
  EXPECT_EQ(kv_bytes_per_token(layout("deepseek-ai/DeepSeek-V3"), bf16, 1, KvEngine::Vllm), 70272u);
  EXPECT_EQ(kv_bytes_per_token(layout("deepseek-ai/DeepSeek-V3"), bf16, 1, KvEngine::LlamaCpp), 70272u);
  // transformers caches MLA decompressed: 128 heads x (192 + 128) x 2 bytes x 61 layers.
  EXPECT_EQ(kv_bytes_per_token(layout("deepseek-ai/DeepSeek-V3"), bf16, 1, KvEngine::Hf), 128u * 320 * 2 * 61);
}

TEST(KvCache, TensorParallelSplitsKvHeadsDownToOne) {
  auto l = layout("meta-llama/Meta-Llama-3-8B");  // 8 KV heads
  auto bf16 = *kv_type("bf16");
  EXPECT_EQ(kv_bytes_per_token(l, bf16, 2, KvEngine::Vllm), 65536u);
  EXPECT_EQ(kv_bytes_per_token(l, bf16, 8, KvEngine::Vllm), 16384u);
  EXPECT_EQ(kv_bytes_per_token(l, bf16, 16, KvEngine::Vllm), 16384u);  // replicated past n_kv
}

TEST(KvCache, DoubleBatchDoublesKvAndDtypesScale) {
  auto l = layout("meta-llama/Llama-2-7b-hf");
  auto fp16 = *kv_type("fp16");
  uint64_t one = kv_bytes(l, 4096, 1, fp16, 1, KvEngine::Hf);
  EXPECT_EQ(one, 524288ull * 4096);
  EXPECT_EQ(kv_bytes(l, 4096, 2, fp16, 1, KvEngine::Hf), 2 * one);
  EXPECT_EQ(kv_bytes(l, 8192, 1, fp16, 1, KvEngine::Hf), 2 * one);
  EXPECT_EQ(kv_bytes(l, 4096, 1, *kv_type("fp8"), 1, KvEngine::Hf), one / 2);
  EXPECT_EQ(kv_bytes(l, 4096, 1, *kv_type("q8_0"), 1, KvEngine::LlamaCpp), one / 2 * 34 / 32);
  EXPECT_EQ(kv_bytes(l, 4096, 1, *kv_type("q4_0"), 1, KvEngine::LlamaCpp), one / 2 * 18 / 32);
}

TEST(KvCache, SlidingWindowStopsGrowingPastTheWindow) {
  auto l = layout("mistralai/Mistral-7B-v0.1");  // sliding_window 4096 on every layer
  auto bf16 = *kv_type("bf16");
  uint64_t at_window = kv_bytes(l, 4096, 1, bf16, 1, KvEngine::Hf);
  EXPECT_EQ(kv_bytes(l, 32768, 1, bf16, 1, KvEngine::Hf), at_window);
  EXPECT_LT(kv_bytes(l, 2048, 1, bf16, 1, KvEngine::Hf), at_window);
  // gemma-2: half the layers are global and keep growing, the other half stop at the window.
  auto g = layout("google/gemma-2-9b");
  uint64_t a = kv_bytes(g, 8192, 1, bf16, 1, KvEngine::Hf), b = kv_bytes(g, 16384, 1, bf16, 1, KvEngine::Hf);
  EXPECT_EQ(b - a, uint64_t(8192) * kv_bytes_per_token(g, bf16, 1, KvEngine::Hf) / 2);
}

TEST(KvCache, GptOssAlternatesSlidingAndFullLayers) {
  auto l = layout("openai/gpt-oss-20b");
  int sliding = 0, full = 0;
  for (const auto& x : l.layers) (x.kind == KvLayer::Kind::Sliding ? sliding : full) += 1;
  EXPECT_EQ(sliding, 12);
  EXPECT_EQ(full, 12);
  EXPECT_EQ(l.layers[0].window, 128);
  // 24 layers x 8 KV heads x (64 + 64) x 2 bytes.
  EXPECT_EQ(kv_bytes_per_token(l, *kv_type("bf16"), 1, KvEngine::Vllm), 24u * 8 * 128 * 2);
}

TEST(KvCache, RecurrentLayersHoldAStatePerSequence) {
  auto l = layout("Qwen/Qwen3-Next-80B-A3B-Instruct");  // 3 of 4 layers gated delta-net
  int rec = 0;
  for (const auto& x : l.layers) rec += x.kind == KvLayer::Kind::Recurrent;
  EXPECT_EQ(rec * 4, int(l.layers.size()) * 3);
  auto bf16 = *kv_type("bf16");
  uint64_t a = kv_bytes(l, 1024, 1, bf16, 1, KvEngine::Hf), b = kv_bytes(l, 2048, 1, bf16, 1, KvEngine::Hf);
  EXPECT_EQ(b - a, 1024 * kv_bytes_per_token(l, bf16, 1, KvEngine::Hf));
  EXPECT_GT(a, 1024 * kv_bytes_per_token(l, bf16, 1, KvEngine::Hf));  // plus the fixed states
}

TEST(KvCache, BadValuesAreErrors) {
  EXPECT_FALSE(kv_layout_from_config(Json::parse(R"({"num_hidden_layers": -1, "num_attention_heads": 8})")));
  EXPECT_FALSE(kv_layout_from_config(Json::parse(R"({"num_hidden_layers": 100000000, "num_attention_heads": 8})")));
  EXPECT_FALSE(kv_layout_from_config(Json::parse(R"({"num_hidden_layers": 2, "num_attention_heads": 0})")));
  EXPECT_FALSE(kv_type("q3_k"));
}

}  // namespace
}  // namespace memfit
