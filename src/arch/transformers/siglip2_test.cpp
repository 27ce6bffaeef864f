// SigLIP 2 (siglip2, withheld from the default-config sweep) and Pixtral's vision encoder (pixtral, withheld too):
// the default configs ({"model_type": ...}, filled with the config classes' defaults as AutoConfig fills them) against
// parameter counts derived here from modeling_siglip2.py / modeling_pixtral.py, and SigLIP 2's naflex base checkpoint
// against its published size.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

uint64_t child_bits(const Model& m, const std::string& name) {
  for (const auto& [n, bits] : module_sizes(m))
    if (n == name) return bits;
  return 0;
}

TEST(Siglip2, DefaultConfigMatchesTheModuleTree) {
  auto b = build_transformers(Json::parse(R"({"model_type": "siglip2"})"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "Siglip2Model");
  Measurement m = measure(b->model);
  // Encoder layer (hidden 768, intermediate 3072): k/v/q/out_proj 4 * (768*768 + 768) = 2,362,368, fc1 768*3072 + 3072
  //   = 2,362,368, fc2 3072*768 + 768 = 2,360,064, layer_norm1/2 2 * 1,536 = 3,072: 7,087,872; x12 = 85,054,464.
  // Text (Siglip2TextConfig): token_embedding 32000*768 = 24,576,000, position_embedding 64*768 = 49,152, encoder,
  //   final_layer_norm 1,536, head Linear(768, projection_size = hidden_size) 590,592: 110,271,744.
  // Vision (Siglip2VisionConfig): patch_embedding Linear(3*16*16, 768) 590,592, position_embedding num_patches 256 * 768
  //   = 196,608, encoder, post_layernorm 1,536, head (probe 768, MultiheadAttention in_proj 3*768*768 + 2,304 and
  //   out_proj 590,592, layernorm 1,536, mlp 4,722,432 = 7,087,104): 92,930,304.
  // logit_scale and logit_bias: 2.
  EXPECT_EQ(m.parameters, 110'271'744ull + 92'930'304ull + 2);
  // Buffers: the text embeddings' position_ids [1, 64] int64 (the vision embeddings have none).
  EXPECT_EQ(m.buffer_bits, 64ull * 64);
  EXPECT_EQ(m.total_bits, (110'271'744ull + 92'930'304ull + 2) * 32 + 64 * 64);
  // Largest layer (no-split Siglip2TextEmbeddings): the text embeddings, 24,625,152 floats + the position_ids.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"text_model.embeddings"});
  EXPECT_EQ(m.largest_bits, 24'625'152ull * 32 + 64 * 64);
  EXPECT_EQ(child_bits(b->model, "vision_model.head"), 7'087'104ull * 32);
  EXPECT_EQ(child_bits(b->model, "vision_model.embeddings"), (590'592ull + 196'608) * 32);
  auto emb = b->model.root->child("vision_model")->child("embeddings");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->cls, "Siglip2VisionEmbeddings");
  EXPECT_EQ(emb->child("patch_embedding")->cls, "Linear");
  EXPECT_EQ(b->model.root->child("text_model")->cls, "Siglip2TextModel");
}

TEST(Siglip2, NaflexBaseCheckpointSize) {
  // google/siglip2-base-patch16-naflex: the default towers with the Gemma tokenizer's 256,000 tokens.
  auto b = build_transformers(Json::parse(R"({"model_type": "siglip2", "text_config": {"vocab_size": 256000},
    "vision_config": {"num_patches": 256}})"));
  ASSERT_TRUE(b) << b.error().message;
  // 203,202,050 - 32000*768 + 256000*768 = 375,234,050 (published: 375M).
  EXPECT_EQ(measure(b->model).parameters, 375'234'050ull);
}

TEST(Siglip2, ImageClassificationAndVisionOnly) {
  auto cls = build_transformers(Json::parse(R"({"model_type": "siglip2", "num_labels": 10,
    "architectures": ["Siglip2ForImageClassification"]})"), Target::TaskModel);
  ASSERT_TRUE(cls) << cls.error().message;
  EXPECT_EQ(measure(cls->model).parameters, 92'930'304ull + 768 * 10 + 10);
  EXPECT_EQ(cls->model.root->child("text_model"), nullptr);
  auto v = build_transformers(Json::parse(R"({"model_type": "siglip2_vision_model", "vision_use_head": false})"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->cls, "Siglip2VisionModel");
  EXPECT_EQ(measure(v->model).parameters, 92'930'304ull - 7'087'104);
}

TEST(Pixtral, DefaultConfigMatchesTheModuleTree) {
  auto b = build_transformers(Json::parse(R"({"model_type": "pixtral"})"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "PixtralVisionModel");
  Measurement m = measure(b->model);
  // PixtralVisionConfig: hidden 1024, intermediate 4096, 24 layers, 16 heads, image 1024, patch 16.
  // patch_conv 3*1024*16*16 (no bias) = 786,432, ln_pre 1,024. Layer: attention_norm and ffn_norm 2,048, bias-free
  //   q/k/v/o 4 * 1024^2 = 4,194,304, gate/up/down 3 * 1024*4096 = 12,582,912: 16,779,264; x24 = 402,702,336.
  EXPECT_EQ(m.parameters, 786'432ull + 1'024 + 402'702'336ull);
  // patch_positional_embedding: inv_freq and original_inv_freq, [(1024/16)^2, head_dim 64] float32 each.
  EXPECT_EQ(m.buffer_bits, 2ull * 4096 * 64 * 32);
  // Largest layer (no-split PixtralAttentionLayer): each of the 24 layers, 16,779,264 floats.
  EXPECT_EQ(m.largest_bits, 16'779'264ull * 32);
  ASSERT_EQ(m.largest_names.size(), 24u);
  EXPECT_EQ(m.largest_names[0], "transformer.layers.0");
}

}  // namespace
