// The families of issue 11's second text group beyond their default-config sweep cases (families_sweep_test.cpp
// holds those): configs with omitted keys, legacy hub keys, the options that change the tree, and the task heads,
// each count derived by hand from the modeling source.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

Json sweep_config(const std::string& type) {
  std::ifstream in(std::filesystem::path(MEMFIT_TEST_DATA) / "sweep" / "transformers_defaults" / type / "config.json");
  return Json::parse(in);
}

Measurement built(const Json& config, Target target, const std::string& cls) {
  auto b = build_transformers(config, target);
  EXPECT_TRUE(b) << (b ? "" : b.error().message);
  if (!b) return {};
  EXPECT_FALSE(b->approximate);
  EXPECT_EQ(b->cls, cls);
  return measure(b->model);
}

// Omitted keys are filled as transformers fills them: the first `if self.mlp_layer_types is None:` of
// Step3p7TextConfig makes layers 0-2 dense (the generator now keeps that block, not the later all-sparse one), and
// the layer_types / compress_rates / rotary factors of DeepseekV4Config come from __post_init__'s defaults. Both then
// equal the default-config sweep cases the real accelerate measured.
TEST(TextTail2, OmittedKeysBuildTheDefaultModels) {
  Measurement step = built(Json{{"model_type", "step3p7"}}, Target::Accelerate, "Step3p7Model");
  EXPECT_EQ(step.parameters, 197297221632u);
  EXPECT_EQ(step.total_bits / 8, 789188957248u);
  Measurement v4 = built(Json{{"model_type", "deepseek_v4"}}, Target::Accelerate, "DeepseekV4Model");
  EXPECT_EQ(v4.parameters, 283796338135u);
  EXPECT_EQ(v4.total_bits / 8, 1135204042588u);
}

// A hub-style Step-3.7 config: per-layer lists padded with one MTP entry, the legacy moe_layers_enum,
// attention_other_setting for the sliding layers' head count and per-layer partial_rotary_factors.
TEST(TextTail2, Step3p7LegacyKeys) {
  Json c = Json::parse(R"({"model_type": "step3p7",
    "vision_config": {"hidden_size": 32, "num_attention_heads": 2, "num_hidden_layers": 1, "image_size": 28,
                      "patch_size": 14, "mlp_ratio": 2.0},
    "text_config": {"hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
                    "intermediate_size": 96, "moe_intermediate_size": 32, "share_expert_dim": 48,
                    "n_routed_experts": 4, "num_hidden_layers": 3, "vocab_size": 100, "num_nextn_predict_layers": 1,
                    "layer_types": ["full_attention", "sliding_attention", "full_attention", "full_attention"],
                    "moe_layers_enum": "1,2,3", "attention_other_setting": {"num_attention_heads": 2},
                    "partial_rotary_factors": [0.5, 1.0, 0.5, 0.5]}})");
  Measurement m = built(c, Target::Accelerate, "Step3p7Model");
  // Vision: patch conv 3*14*14*32 = 18,816 + 4 positions * 32 = 128; pre_layernorm 64; one layer (lambdas 64,
  // k/v/q/out 4 * 1,056 = 4,224, fc1 32->64 2,112, fc2 2,080, two LayerNorms 128) 8,608; downsampler1 32->64 k3
  // 18,496, downsampler2 64->128 73,856 -> 119,968. Projector 128 -> 64: 8,192.
  // Text: embed 6,400; attention with 4 heads (q 4,096, k 2,048, v 2,048, o 4,096, q/k norms 32, g_proj 256)
  // 12,576, with 2 heads (layer 1, sliding) 8,352; dense MLP 3*64*96 = 18,432; MoE (layers 1, 2; index 3 is the
  // trimmed MTP layer) router 256 + experts 4*64*64 + 4*64*32 = 24,576 + shared 3*64*48 = 9,216 -> 34,048; two norms
  // 128 per layer. Layers 31,136 + 42,528 + 46,752; final norm 64 -> 126,880. Total 255,040.
  EXPECT_EQ(m.parameters, 255040u);
  // Buffers: position_ids int64 [1, 4] 32 B, vision RoPE 2 * 4 floats 32 B, two e_score_correction_bias [4] 32 B,
  // text RoPE full_attention int(16 * 0.5) / 2 = 4 and sliding_attention 8 floats, twice each: 96 B.
  EXPECT_EQ(m.total_bits / 8, 255040u * 4 + 192);
}

// A DeepSeek-V4 config with the legacy hub keys: compress_ratios (one sliding, one CSA, one HCA layer),
// num_hash_layers, compress_rate_hca and qk_rope_head_dim (RoPE over 8 of 32 dims).
TEST(TextTail2, DeepseekV4LegacyKeys) {
  Json c = Json::parse(R"({"model_type": "deepseek_v4", "hidden_size": 64, "num_attention_heads": 4, "head_dim": 32,
    "q_lora_rank": 16, "o_groups": 2, "o_lora_rank": 8, "hc_mult": 2, "vocab_size": 50, "index_n_heads": 2,
    "index_head_dim": 8, "n_routed_experts": 2, "moe_intermediate_size": 16, "num_experts_per_tok": 1,
    "num_hidden_layers": 3, "compress_ratios": [0, 4, 128], "num_hash_layers": 1, "compress_rate_hca": 8,
    "qk_rope_head_dim": 8})");
  Measurement m = built(c, Target::Accelerate, "DeepseekV4Model");
  // Attention: q_a 1,024, q_a_norm 16, q_b 16->128 2,048, kv_proj 2,048, kv_norm 32, o_a (64 -> 16) 1,024, o_b
  // 1,024, sinks 4 = 7,220. MoE: router 128, experts 2*32*64 + 2*64*16 = 6,144, shared MLP 3,072 = 9,344. Norms 128,
  // two hyper-connections (fn 8 x 128, base 8, scale 3) 2,070 -> a sliding layer 18,762. CSA compressor (kv and
  // gate 64->64, position_bias 4 x 64, kv_norm 32; indexer kv and gate 64->16, position_bias 4 x 16, kv_norm 8,
  // q_b 16->16, scorer 64->2) 8,480 + 2,504 = 10,984; HCA compressor (kv and gate 64->32, position_bias 8 x 32,
  // kv_norm 32) 4,384. Embed 3,200, norm 64, hc_head 2 x 128 + 2 + 1 = 259 -> 75,177.
  EXPECT_EQ(m.parameters, 75177u);
  // Buffers: four RoPE tables (model, CSA compressor, its indexer, HCA compressor), each main + compress twice over
  // int(32 * 0.25) / 2 = 4 floats: 4 x 64 B; tid2eid int64 [50, 1] 400 B on the hash layer; two biases [2] 16 B.
  EXPECT_EQ(m.total_bits / 8, 75177u * 4 + 256 + 400 + 16);
}

// A MiniMax-M3 text model with one lightning-indexer layer and one dense layer.
TEST(TextTail2, MiniMaxM3SparseAttentionAndDenseLayers) {
  Json c = Json::parse(R"({"model_type": "minimax_m3_vl_text", "hidden_size": 64, "num_attention_heads": 4,
    "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 32, "dense_intermediate_size": 48,
    "shared_intermediate_size": 24, "num_local_experts": 4, "num_hidden_layers": 2, "vocab_size": 100,
    "layer_types": ["minimax_m3_sparse", "full_attention"], "mlp_layer_types": ["dense", "sparse"],
    "index_n_heads": 2, "index_head_dim": 8})");
  Measurement m = built(c, Target::Accelerate, "MiniMaxM3VLTextModel");
  // Attention q 4,096, k 2,048, v 2,048, o 4,096, q/k norms 32 = 12,320; indexer q 64->16 1,024, k 64->8 512,
  // norms 16 = 1,552; dense MLP gate_up 64->96 6,144 + down 3,072 = 9,216; MoE router 256 + experts 16,384 + 8,192
  // + shared gate_up 64->48 3,072 + down 1,536 = 29,440; norms 128 per layer. Layers 23,216 + 41,888; embed 6,400;
  // norm 64 -> 71,568.
  EXPECT_EQ(m.parameters, 71568u);
  EXPECT_EQ(m.total_bits / 8, 71568u * 4 + 64 + 16);  // RoPE 2 * 8 floats, one correction bias [4]
}

// Task heads: the ties each LM head declares, under tie_word_embeddings.
TEST(TextTail2, TiedTaskHeads) {
  Json zaya = sweep_config("zaya");
  zaya["architectures"] = Json::array({"ZayaForCausalLM"});
  EXPECT_EQ(built(zaya, Target::TaskModel, "ZayaForCausalLM").parameters, 8840488784u);  // lm_head tied
  zaya["lm_head_bias"] = true;
  EXPECT_EQ(built(zaya, Target::TaskModel, "ZayaForCausalLM").parameters, 8840488784u + 262272);

  // UdopForConditionalGeneration: the model's ties (both embed_tokens, the encoder's patch projection) plus lm_head
  // and both stacks' first relative bias [32, 16] = 512 tied to block 0's.
  Json udop = sweep_config("udop");
  udop["architectures"] = Json::array({"UdopForConditionalGeneration"});
  EXPECT_EQ(built(udop, Target::TaskModel, "UdopForConditionalGeneration").parameters, 742441984u - 2 * 512);

  // T5Gemma2ForConditionalGeneration: lm_head.out_proj shares the encoder's embed_tokens.
  Json t5g = sweep_config("t5gemma2");
  t5g["architectures"] = Json::array({"T5Gemma2ForConditionalGeneration"});
  EXPECT_EQ(built(t5g, Target::TaskModel, "T5Gemma2ForConditionalGeneration").parameters, 4747846400u);

  // BltForCausalLM with tie_word_embeddings: the byte table and lm_head [260, 1024] are one tensor.
  Json blt = sweep_config("blt");
  blt["architectures"] = Json::array({"BltForCausalLM"});
  blt["tie_word_embeddings"] = true;
  EXPECT_EQ(built(blt, Target::TaskModel, "BltForCausalLM").parameters, 4632861440u);
  blt["tie_word_embeddings"] = false;
  EXPECT_EQ(built(blt, Target::TaskModel, "BltForCausalLM").parameters, 4632861440u + 260 * 1024);
}

TEST(TextTail2, PerceiverForMaskedLM) {
  Json c = sweep_config("perceiver");
  c["architectures"] = Json::array({"PerceiverForMaskedLM"});
  // PerceiverModel's 262,686,208 plus the text preprocessor (262 x 768 = 201,216 and 2,048 x 768 = 1,572,864), the
  // decoder's trainable queries (1,572,864) and cross-attention layer (layernorms 1,536 + 2,560, query 768->256
  // 196,864, key 1280->256 327,936, value 1280->768 983,808, output 768->768 590,592, layernorm 1,536, MLP 2 x
  // 590,592) = 3,286,016, and the vocab bias 262.
  EXPECT_EQ(built(c, Target::TaskModel, "PerceiverForMaskedLM").parameters, 269319430u);
  // PerceiverForSequenceClassification: the same model and preprocessor, a single query [1, 1280] and a one-head
  // cross-attention of qk = v = 1280 (layernorm1/2 2 x 2,560, query/key/value/output 4 x 1,639,680, layernorm 2,560,
  // MLP 2 x 1,639,680 = 9,845,760), final_layer 1280 -> 2 labels 2,562.
  c["architectures"] = Json::array({"PerceiverForSequenceClassification"});
  EXPECT_EQ(built(c, Target::TaskModel, "PerceiverForSequenceClassification").parameters,
            262686208u + 201216 + 1572864 + 1280 + 9845760 + 2562);
}

TEST(TextTail2, PatchTSMixerOptions) {
  Json c = Json::parse(R"({"model_type": "patchtsmixer", "mode": "mix_channel", "self_attn": true,
    "self_attn_heads": 2, "norm_mlp": "BatchNorm", "use_positional_encoding": true, "num_input_channels": 3,
    "num_layers": 1})");
  Measurement m = built(c, Target::Accelerate, "PatchTSMixerModel");
  // patcher 8*8+8 = 72, position_enc 4 x 8 = 32; channel mixer (BatchNorm 16, MLP 3->6->3 45, gate 12) 73; patch
  // mixer (BatchNorm 16, MLP 4->8->4 76, gate 20, k/v/q/out 4 x 72 = 288, norm_attn 16) 416; feature mixer
  // (BatchNorm 16, MLP 8->16->8 280, gate 72) 368 -> 961.
  EXPECT_EQ(m.parameters, 961u);
  EXPECT_EQ(m.total_bits / 8, 961u * 4 + 4 * (2 * 8 * 4 + 8));  // four BatchNorm1d: running stats + int64 counter
}

}  // namespace
