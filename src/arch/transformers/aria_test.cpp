// Aria (modeling_aria.py) on rhymes-ai/Aria's config, whose sub-configs name model types transformers does not have
// (aria_moe_lm, aria_vision): AriaConfig builds them as AriaTextConfig and Idefics3VisionConfig regardless.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Aria, PublishedCheckpointSize) {
  auto cfg = Json::parse(R"({"model_type": "aria", "architectures": ["AriaForConditionalGeneration"],
    "projector_patch_to_query_dict": {"1225": 128, "4900": 256},
    "text_config": {"model_type": "aria_moe_lm", "hidden_size": 2560, "intermediate_size": 1664,
      "num_hidden_layers": 28, "num_attention_heads": 20, "num_key_value_heads": 20, "moe_num_experts": 64,
      "moe_topk": 6, "moe_num_shared_experts": 2, "vocab_size": 100352, "tie_word_embeddings": false},
    "vision_config": {"model_type": "aria_vision", "hidden_size": 1152, "image_size": 980, "intermediate_size": 4304,
      "num_attention_heads": 16, "num_hidden_layers": 27, "patch_size": 14}})");
  auto b = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "AriaForConditionalGeneration");
  // Text: embed_tokens 100352*2560 = 256,901,120; per layer q/k/v/o 4*2560^2 = 26,214,400, router 2560*64 = 163,840,
  //   experts fc1 64*2560*3328 = 545,259,520 and fc2 64*1664*2560 = 272,629,760, shared experts 3*2560*3328 =
  //   25,559,040, two norms 5,120: 869,831,680, x28 = 24,355,287,040; norm 2,560: 24,612,190,720.
  // Vision (Idefics3): patch conv 3*1152*14*14 + 1152 = 678,528, positions (980/14)^2 * 1152 = 5,644,800, 27 layers of
  //   15,239,504, post_layernorm 2,304: 417,792,240.
  // Projector: query 256*1152 = 294,912, cross_attn (bias-free q/k/v 3*1152^2, MultiheadAttention 4*1152^2 + 4*1152,
  //   linear 1152^2 + 1152, two LayerNorms) 10,627,200, layer_norm 2,304, linear_in 1152*2560 + linear_out 2560^2
  //   = 9,502,720: 20,427,136. lm_head 256,901,120. Total 25,307,311,216 (published: 25.3B).
  EXPECT_EQ(measure(b->model).parameters, 25'307'311'216ull);
  auto model = b->model.root->child("model");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->child("language_model")->cls, "AriaTextModel");
  EXPECT_EQ(model->child("vision_tower")->cls, "Idefics3VisionTransformer");
}

}  // namespace
