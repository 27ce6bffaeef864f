// nemotron_h (withheld from the default-config sweep): NemotronHConfig's default (hidden 4096, vocab 131072, the four
// layers [linear_attention, moe, full_attention, mlp]) derived module by module from modeling_nemotron_h.py, the
// task head, checkpoint names, and two published configs built from their hybrid_override_pattern.
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// Parameters of one layer of each kind at hidden 4096 (the default config's numbers):
//   Mamba-2 mixer: 128 heads x mamba_head_dim 64 = intermediate 8192; conv_dim = 8192 + 2 * 8 groups * 128 state
//     = 10,240: conv1d 10,240 * 4 + 10,240 bias = 51,200; in_proj 4096 * (8192 + 10,240 + 128) = 76,021,760;
//     dt_bias, A_log, D 3 * 128; norm (Zamba2RMSNormGated) 8192; out_proj 8192 * 4096 = 33,554,432.
//     = 109,635,968.
//   MoE: experts up_proj + down_proj 2 * 8 * 7688 * 4096 = 503,840,768; gate weight 8 * 4096 = 32,768 (+ the
//     float32 buffer e_score_correction_bias [8], 32 B); shared_experts up + down 2 * 4096 * 7688 = 62,980,096;
//     latent projections Identity. = 566,853,632.
//   attention: q, o 4096 * 4096 each, k, v 4096 * (8 * 128) each, no bias = 41,943,040.
//   MLP: up + down 2 * 4096 * 21504 = 176,160,768.
constexpr uint64_t kMamba = 109'635'968, kMoe = 566'853'632, kAttn = 41'943'040, kMlp = 176'160'768;
constexpr uint64_t kEmbed = 131'072ull * 4096;  // 536,870,912

TEST(NemotronH, DefaultConfigModuleByModule) {
  auto built = build_transformers(Json::parse(R"({"model_type": "nemotron_h"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "NemotronHModel");
  Measurement m = measure(built->model);
  // embeddings + 4 blocks (each with its 4096 norm) + norm_f; no rotary module (no positional embedding at all).
  EXPECT_EQ(m.parameters, kEmbed + 5 * 4096 + kMamba + kMoe + kAttn + kMlp);
  EXPECT_EQ(m.parameters, 1'431'484'800ull);
  EXPECT_EQ(m.buffer_bits, 8ull * 32);
  EXPECT_EQ(m.total_bits / 8, 1'431'484'800ull * 4 + 32);
  // The MoE block is the largest layer: (566,853,632 + 4096) * 4 + 32 B, above the 2,147,483,648 B embedding.
  EXPECT_EQ(m.largest_bits / 8, (kMoe + 4096) * 4 + 32);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"layers.1"});
  const auto& layers = built->model.root->child("layers")->children;
  ASSERT_EQ(layers.size(), 4u);
  EXPECT_EQ(layers[0].second->child("mixer")->cls, "NemotronHMamba2Mixer");
  EXPECT_EQ(layers[1].second->child("mixer")->cls, "NemotronHMoE");
  EXPECT_EQ(layers[2].second->child("mixer")->cls, "NemotronHAttention");
  EXPECT_EQ(layers[3].second->child("mixer")->cls, "NemotronHMLP");
  EXPECT_EQ(built->model.root->child("rotary_emb"), nullptr);
}

TEST(NemotronH, CausalLmHeadIsNeverTiedAndCheckpointNames) {
  // _tied_weights_keys is {}: even tie_word_embeddings true leaves lm_head 4096 x 131072 of its own.
  auto head = build_transformers(Json::parse(R"({"model_type": "nemotron_h", "tie_word_embeddings": true,
                                                 "architectures": ["NemotronHForCausalLM"]})"),
                                 Target::TaskModel);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->cls, "NemotronHForCausalLM");
  EXPECT_EQ(measure(head->model).parameters, 1'431'484'800ull + kEmbed);
  // Saved as save_pretrained reverts the conversion mapping: backbone.*, embedding.weight, one tensor per expert.
  auto tensors = checkpoint_tensors(head->model);
  auto has = [&](const std::string& name, std::vector<int64_t> shape) {
    return std::any_of(tensors.begin(), tensors.end(),
                       [&](const CheckpointTensor& t) { return t.name == name && t.shape == shape; });
  };
  EXPECT_TRUE(has("backbone.embedding.weight", {131072, 4096}));
  EXPECT_TRUE(has("backbone.layers.1.mixer.experts.7.up_proj.weight", {7688, 4096}));
  EXPECT_TRUE(has("backbone.layers.1.mixer.experts.0.down_proj.weight", {4096, 7688}));
  EXPECT_TRUE(has("backbone.layers.1.mixer.gate.e_score_correction_bias", {8}));
  EXPECT_TRUE(has("lm_head.weight", {131072, 4096}));
  EXPECT_FALSE(has("backbone.layers.1.mixer.experts.up_proj", {8, 7688, 4096}));
}

TEST(NemotronH, PublishedPatternConfigs) {
  // nvidia/NVIDIA-Nemotron-Nano-9B-v2 (published as 8.89B parameters): hidden 4480, 56 layers by its pattern, 27
  // Mamba (128 heads x 80), 4 attention (40 heads, 8 kv, head_dim 128), 25 MLP (15680). Per layer at hidden 4480:
  //   Mamba: intermediate 10,240, conv_dim 12,288: conv1d 12,288 * 5 = 61,440; in_proj 4480 * 22,656 =
  //     101,498,880; 3 * 128; norm 10,240; out_proj 10,240 * 4480 = 45,875,200 -> 147,446,144.
  //   attention: 2 * 4480 * 5120 + 2 * 4480 * 1024 = 55,050,240. MLP: 2 * 4480 * 15680 = 140,492,800.
  //   total = 2 * 131072 * 4480 (embeddings, lm_head) + 57 norms * 4480 + 27 * 147,446,144 + 4 * 55,050,240
  //         + 25 * 140,492,800 = 8,888,227,328.
  auto nano = build_transformers(Json::parse(R"({
    "architectures": ["NemotronHForCausalLM"], "model_type": "nemotron_h", "hidden_size": 4480,
    "hybrid_override_pattern": "M-M-M-MM-M-M-M*-M-M-M*-M-M-M-M*-M-M-M-M*-M-MM-M-M-M-M-M-", "num_hidden_layers": 56,
    "intermediate_size": 15680, "num_attention_heads": 40, "num_key_value_heads": 8, "head_dim": 128,
    "mamba_num_heads": 128, "mamba_head_dim": 80, "n_groups": 8, "ssm_state_size": 128, "conv_kernel": 4,
    "expand": 2, "vocab_size": 131072, "tie_word_embeddings": false, "use_bias": false, "use_conv_bias": true,
    "mlp_bias": false, "attention_bias": false, "mamba_hidden_act": "silu", "mlp_hidden_act": "relu2"})"),
                                 Target::TaskModel);
  ASSERT_TRUE(nano) << nano.error().message;
  EXPECT_EQ(measure(nano->model).parameters, 8'888'227'328ull);
  EXPECT_EQ(nano->model.root->child("model")->child("layers")->children.size(), 56u);

  // nvidia/Nemotron-H-8B-Base-8K: hidden 4096, 52 layers (24 Mamba, 4 attention, 24 MLP 21504), the default
  // per-layer shapes above: 2 * kEmbed + 53 norms * 4096 + 24 * kMamba + 4 * kAttn + 24 * kMlp = 8,100,852,736.
  auto h8 = build_transformers(Json::parse(R"({
    "architectures": ["NemotronHForCausalLM"], "model_type": "nemotron_h", "hidden_size": 4096,
    "hybrid_override_pattern": "M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-", "num_hidden_layers": 52,
    "num_attention_heads": 32, "num_key_value_heads": 8, "attention_head_dim": 128, "intermediate_size": 21504,
    "mamba_num_heads": 128, "mamba_head_dim": 64, "n_groups": 8, "ssm_state_size": 128, "conv_kernel": 4,
    "vocab_size": 131072})"),
                               Target::TaskModel);
  ASSERT_TRUE(h8) << h8.error().message;
  EXPECT_EQ(measure(h8->model).parameters, 2 * kEmbed + 53 * 4096 + 24 * kMamba + 4 * kAttn + 24 * kMlp);
  EXPECT_EQ(measure(h8->model).parameters, 8'100'852'736ull);

  // An explicit layers_block_type wins over the pattern (legacy "mamba" / "attention" names remapped); a latent
  // MoE adds fc1/fc2_latent_proj and narrows the experts.
  auto latent = build_transformers(Json::parse(R"({"model_type": "nemotron_h", "hidden_size": 64,
    "vocab_size": 10, "layers_block_type": ["mamba", "moe"], "hybrid_override_pattern": "****",
    "mamba_num_heads": 4, "mamba_head_dim": 16, "n_groups": 1, "ssm_state_size": 8,
    "n_routed_experts": 2, "moe_intermediate_size": 32, "moe_shared_expert_intermediate_size": 16,
    "moe_latent_size": 24})"));
  ASSERT_TRUE(latent) << latent.error().message;
  // embeddings 640; 3 norms 192; Mamba: inter 64, conv_dim 80: conv1d 400, in_proj 64 * 148 = 9472, 12, norm 64,
  // out_proj 4096 -> 14,044; MoE: experts 2 * 2 * 32 * 24 = 3072, gate 128, shared 2 * 64 * 16 = 2048,
  // fc1_latent_proj 64 * 24 = 1536, fc2_latent_proj 24 * 64 = 1536 -> 8320.
  EXPECT_EQ(measure(latent->model).parameters, 640u + 192 + 14'044 + 8'320);

  auto bad = build_transformers(Json::parse(R"({"model_type": "nemotron_h", "hybrid_override_pattern": "M?"})"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("hybrid_override_pattern"), std::string::npos);
}

}  // namespace MEMFIT_TU
