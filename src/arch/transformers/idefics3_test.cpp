// Idefics3 and SmolVLM (modeling_idefics3.py, modeling_smolvlm.py): their default configs fail in transformers (the
// text config gets pad_token_id 128002 over LlamaConfig's 32,000 tokens), so they are not in the default-config sweep;
// memfit refuses them the same way, and builds the published checkpoints' configs to their published sizes.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Idefics3, DefaultConfigFailsAsInTransformers) {
  for (const char* type : {"idefics3", "smolvlm"}) {
    auto b = build_transformers(Json{{"model_type", type}});
    ASSERT_FALSE(b) << type;
    EXPECT_EQ(b.error().kind, ErrorKind::BadInput);
    EXPECT_NE(b.error().message.find("pad_token_id 128002 is not below vocab_size 32000"), std::string::npos)
        << b.error().message;
  }
}

// HuggingFaceM4/Idefics3-8B-Llama3's config.json (the keys that shape the model).
Json idefics3_8b() {
  return Json::parse(R"({"model_type": "idefics3", "architectures": ["Idefics3ForConditionalGeneration"],
    "scale_factor": 2, "tie_word_embeddings": false, "vocab_size": 128259,
    "text_config": {"model_type": "llama", "head_dim": 128, "hidden_size": 4096, "intermediate_size": 14336,
                    "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
                    "pad_token_id": 128002, "rms_norm_eps": 1e-05, "vocab_size": 128259},
    "vision_config": {"hidden_size": 1152, "image_size": 364, "intermediate_size": 4304, "model_type": "idefics3",
                      "num_attention_heads": 16, "num_hidden_layers": 27, "patch_size": 14}})");
}

TEST(Idefics3, Idefics3_8BSize) {
  auto b = build_transformers(idefics3_8b(), Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "Idefics3ForConditionalGeneration");
  // Vision: patch_embedding 3*1152*14*14 + 1152 = 678,528, position_embedding (364/14)^2 = 676 * 1152 = 778,752,
  //   27 layers of (k/v/q/out_proj 5,313,024 + fc1/fc2 2*1152*4304 + 4304 + 1152 = 9,921,872 + LayerNorms 4,608)
  //   = 411,466,608, post_layernorm 2,304: 412,926,192.
  // Connector: modality_projection Linear(1152 * 2^2, 4096, bias=False) = 18,874,368.
  // Text (Llama 3.1 8B, 128,259 tokens): embed_tokens 525,348,864, 32 layers of 218,112,000, norm 4,096:
  //   7,504,936,960. lm_head (untied) 525,348,864. Total 8,462,086,384 (published: 8.46B).
  Measurement m = measure(b->model);
  EXPECT_EQ(m.parameters, 8'462'086'384ull);
  auto model = b->model.root->child("model");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->child("vision_model")->cls, "Idefics3VisionTransformer");
  EXPECT_EQ(model->child("connector")->child("modality_projection")->child("proj")->params[0].second.shape,
            (std::vector<int64_t>{4096, 4608}));
  EXPECT_EQ(model->child("text_model")->cls, "LlamaModel");

  auto base = build_transformers(idefics3_8b());
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(base->cls, "Idefics3Model");
  EXPECT_EQ(measure(base->model).parameters, 8'462'086'384ull - 525'348'864ull);
  EXPECT_EQ(measure(base->model).largest_names, std::vector<std::string>{"text_model.embed_tokens"});
}

TEST(SmolVLM, SmolVLM2Size) {
  // A SmolVLM-256M-shaped smolvlm config: SigLIP base/16 at 512 px, scale factor 4, SmolLM2-135M text, untied head.
  auto cfg = Json::parse(R"({"model_type": "smolvlm", "architectures": ["SmolVLMForConditionalGeneration"],
    "scale_factor": 4, "tie_word_embeddings": false,
    "text_config": {"model_type": "llama", "hidden_size": 576, "intermediate_size": 1536, "num_attention_heads": 9,
                    "num_hidden_layers": 30, "num_key_value_heads": 3, "pad_token_id": 2, "vocab_size": 49280},
    "vision_config": {"hidden_size": 768, "image_size": 512, "intermediate_size": 3072, "num_attention_heads": 12,
                      "num_hidden_layers": 12, "patch_size": 16}})");
  auto b = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "SmolVLMForConditionalGeneration");
  // Vision: 3*768*16*16 + 768 = 590,592, positions 1024*768 = 786,432, 12 layers of 7,087,872, post_layernorm 1,536:
  //   86,433,024. Connector Linear(768 * 16, 576) 7,077,888. Text: embed_tokens 49280*576 = 28,385,280, 30 layers of
  //   (q/o 2 * 576^2 + k/v 2 * 576*192 = 884,736, MLP 3*576*1536 = 2,654,208, norms 1,152) = 106,202,880, norm 576:
  //   134,588,736. lm_head 28,385,280. Total 256,484,928 (SmolVLM-256M).
  EXPECT_EQ(measure(b->model).parameters, 256'484'928ull);
  EXPECT_EQ(b->model.root->child("model")->child("vision_model")->cls, "SmolVLMVisionTransformer");
}

}  // namespace
