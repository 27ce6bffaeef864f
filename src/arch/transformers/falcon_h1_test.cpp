// Falcon-H1, hand-checked against modeling_falcon_h1.py (no accelerate fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// tiiuae/Falcon-H1-Tiny-90M's architecture keys (config.json); the bias / gated-norm switches it leaves out take
// the FalconH1Config defaults, written out here.
const char* kConfig = R"({
  "architectures": ["FalconH1ForCausalLM"], "model_type": "falcon_h1", "hidden_size": 512,
  "intermediate_size": 768, "num_hidden_layers": 24, "num_attention_heads": 8, "num_key_value_heads": 2,
  "head_dim": 64, "vocab_size": 32768, "tie_word_embeddings": true, "mamba_d_conv": 4, "mamba_d_head": 32,
  "mamba_d_ssm": 768, "mamba_d_state": 64, "mamba_expand": 2, "mamba_n_groups": 1, "mamba_n_heads": 24,
  "mamba_rms_norm": false, "mamba_conv_bias": true, "mamba_proj_bias": false, "projectors_bias": false,
  "attention_bias": false, "mlp_bias": false
})";

TEST(FalconH1, ParameterCountByHand) {
  auto built = build_transformers(Json::parse(kConfig));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "FalconH1Model");
  // Per layer: attention q, o 512*512 = 262,144 each, k, v 512*128 = 65,536 each -> 655,360; MLP 3*512*768 =
  // 1,179,648; mixer (d_ssm 768, conv_dim 768 + 2*1*64 = 896, 24 heads): in_proj 512*(768+896+24) = 864,256,
  // conv1d 896*4 + 896 = 4,480, dt_bias + A_log + D 72, norm Identity, out_proj 768*512 = 393,216 -> 1,262,024;
  // two norms 1,024 -> 3,098,056. 24 layers: 74,353,344; embed_tokens 32768*512 = 16,777,216; final norm 512
  // -> 91,131,072.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 91131072u);
  // Buffers: mup_vector [1, 1, 2*768 + 2*64 + 24 = 1688] float32 per layer, rotary inv_freq twice [32].
  EXPECT_EQ(m.buffer_bits, (24u * 1688 * 4 + 2 * 32 * 4) * 8);
  bool found = false;
  for (const auto& [name, bits] : module_sizes(built->model)) found |= name == "layers.23.mamba.mup_vector";
  EXPECT_TRUE(found);
  auto task = build_transformers(Json::parse(kConfig), Target::TaskModel);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(measure(task->model).parameters, 91131072u);  // lm_head tied
}

}  // namespace
