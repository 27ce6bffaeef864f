// BART-like heads and options without a fixture (modeling_bart.py, modeling_marian.py), counted by hand.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// facebook/bart-base: d_model 768, 6+6 layers, ffn 3072, vocab 50265, 1024 positions (+2 offset).
Json bart_base(const std::string& arch) {
  return Json::parse(R"({"model_type": "bart", "architectures": [")" + arch + R"("], "vocab_size": 50265,
    "d_model": 768, "encoder_layers": 6, "decoder_layers": 6, "encoder_attention_heads": 12,
    "decoder_attention_heads": 12, "encoder_ffn_dim": 3072, "decoder_ffn_dim": 3072, "max_position_embeddings": 1024,
    "id2label": {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}})");
}

// One 768->768 projection: 590,592. Encoder layer: 4 projections 2,362,368 + 2 LayerNorms 3072
//   + fc1 768*3072+3072 = 2,362,368 + fc2 3072*768+768 = 2,360,064 -> 7,087,872.
// Decoder layer: 8 projections 4,724,736 + 3 LayerNorms 4608 + fc1 + fc2 -> 9,451,776.
// Token table 50265*768 = 38,603,520; positions 1026*768 = 787,968; layernorm_embedding 1536.
constexpr uint64_t kTokens = 38603520u, kPos = 787968u;
constexpr uint64_t kEncoder = kPos + 6u * 7087872u + 1536u;  // 43,316,736 (embed_tokens tied to shared)
constexpr uint64_t kDecoder = kPos + 6u * 9451776u + 1536u;  // 57,500,160

uint64_t params(const Json& cfg, const std::string& cls) {
  auto built = build_transformers(cfg, Target::TaskModel);
  EXPECT_TRUE(built) << built.error().message;
  if (!built) return 0;
  EXPECT_EQ(built->cls, cls);
  return measure(built->model).parameters;
}

TEST(Seq2Seq, BartBaseModelMatchesFixtureArithmetic) {
  EXPECT_EQ(params(bart_base("BartModel"), "BartModel"), kTokens + kEncoder + kDecoder);
  EXPECT_EQ(kTokens + kEncoder + kDecoder, 139420416u);  // tests/data/results: param_count_if_ties_honoured
}

TEST(Seq2Seq, BartForConditionalGenerationTiesLmHead) {
  auto built = build_transformers(bart_base("BartForConditionalGeneration"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, 139420416u);
  EXPECT_EQ(m.buffer_bits, 50265u * 32u);  // final_logits_bias [1, 50265]
}

TEST(Seq2Seq, BartForSequenceClassification) {
  // classification_head: dense 590,592 + out_proj 768*3+3 = 2,307.
  EXPECT_EQ(params(bart_base("BartForSequenceClassification"), "BartForSequenceClassification"),
            139420416u + 590592u + 2307u);
}

TEST(Seq2Seq, BartForQuestionAnswering) {
  // qa_outputs Linear(768, 2): 1,538 (BART forces num_labels = 2).
  EXPECT_EQ(params(bart_base("BartForQuestionAnswering"), "BartForQuestionAnswering"), 139420416u + 1538u);
}

TEST(Seq2Seq, BartForCausalLMIsTheDecoderAlone) {
  // model.decoder with its own token table; lm_head tied to it.
  auto built = build_transformers(bart_base("BartForCausalLM"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, kTokens + kDecoder);
  std::vector<std::string> names;
  for (const auto& e : state_dict(built->model)) names.push_back(e.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "model.decoder.embed_tokens.weight"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "lm_head.weight"), names.end());
}

TEST(Seq2Seq, MarianWithoutSharedEmbeddings) {
  // share_encoder_decoder_embeddings=false: no `shared`; encoder 1000x16 and decoder 700x16 tables of their own,
  // lm_head [700, 16] tied to the decoder's; sinusoidal tables 64x16 are parameters but not saved.
  Json cfg = Json::parse(R"({"model_type": "marian", "architectures": ["MarianMTModel"], "vocab_size": 1000,
    "decoder_vocab_size": 700, "share_encoder_decoder_embeddings": false, "d_model": 16, "encoder_layers": 1,
    "decoder_layers": 1, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32, "max_position_embeddings": 64})");
  // Encoder layer: 4*(16*16+16) = 1088; 2 LayerNorms 64; fc1 16*32+32 = 544; fc2 32*16+16 = 528 -> 2,224.
  // Decoder layer: + 1088 + 32 -> 3,344. Positions 64*16 = 1024 per stack.
  uint64_t want = (16000u + 1024u + 2224u) + (11200u + 1024u + 3344u);
  auto built = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, want);
  EXPECT_EQ(built->model.root->child("model")->child("shared"), nullptr);
  for (const auto& t : checkpoint_tensors(built->model)) EXPECT_EQ(t.name.find("embed_positions"), std::string::npos);
}

}  // namespace
