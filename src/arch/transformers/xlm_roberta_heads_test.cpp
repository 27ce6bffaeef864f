// XLM-RoBERTa heads without a fixture (modeling_xlm_roberta.py), on xlm-roberta-base's published hyper-parameters.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

Json xlmr_base(const std::string& arch, const std::string& extra = "") {
  return Json::parse(R"({"model_type": "xlm-roberta", "architectures": [")" + arch + R"("],
    "vocab_size": 250002, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
    "intermediate_size": 3072, "max_position_embeddings": 514, "type_vocab_size": 1)" + extra + "}");
}

// Embeddings: word 250002*768 = 192,001,536; position 514*768 = 394,752; token type 768; LayerNorm 1536
//   -> 192,398,592.
// Layer: query/key/value/dense 4*(768*768+768) = 2,362,368; intermediate 768*3072+3072 = 2,362,368;
//   output 3072*768+768 = 2,360,064; two LayerNorms 3072 -> 7,087,872; 12 layers 85,054,464.
// Pooler 768*768+768 = 590,592. XLMRobertaModel = 278,043,648 (the published xlm-roberta-base size).
constexpr uint64_t kNoPooler = 192398592u + 85054464u;
constexpr uint64_t kPooler = 590592u;

uint64_t params_of(const Json& cfg, const std::string& want_cls) {
  auto built = build_transformers(cfg, Target::TaskModel);
  EXPECT_TRUE(built) << built.error().message;
  if (!built) return 0;
  EXPECT_EQ(built->cls, want_cls);
  return measure(built->model).parameters;
}

TEST(XLMRobertaHeads, Model) {
  EXPECT_EQ(params_of(xlmr_base("XLMRobertaModel"), "XLMRobertaModel"), kNoPooler + kPooler);
  EXPECT_EQ(kNoPooler + kPooler, 278043648u);
}

TEST(XLMRobertaHeads, MultipleChoiceKeepsPooler) {
  // classifier Linear(768, 1): 769.
  EXPECT_EQ(params_of(xlmr_base("XLMRobertaForMultipleChoice"), "XLMRobertaForMultipleChoice"),
            kNoPooler + kPooler + 769u);
}

TEST(XLMRobertaHeads, TokenClassificationNineLabels) {
  // No pooler; classifier Linear(768, 9): 6912 + 9.
  std::string labels = R"(, "id2label": {"0":"O","1":"B-PER","2":"I-PER","3":"B-ORG","4":"I-ORG","5":"B-LOC",
    "6":"I-LOC","7":"B-MISC","8":"I-MISC"})";
  EXPECT_EQ(params_of(xlmr_base("XLMRobertaForTokenClassification", labels), "XLMRobertaForTokenClassification"),
            kNoPooler + 6921u);
}

TEST(XLMRobertaHeads, SequenceClassificationHead) {
  // XLMRobertaClassificationHead: dense 590,592 + out_proj 768*2+2 = 1538; no pooler.
  auto built = build_transformers(xlmr_base("XLMRobertaForSequenceClassification"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, kNoPooler + 590592u + 1538u);
  std::vector<std::string> names;
  for (const auto& e : state_dict(built->model)) names.push_back(e.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "classifier.out_proj.weight"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "roberta.encoder.layer.11.output.LayerNorm.bias"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "roberta.pooler.dense.weight"), names.end());
}

TEST(XLMRobertaHeads, MaskedLMTiesDecoder) {
  // XLMRobertaLMHead: dense 590,592 + layer_norm 1536 + bias 250,002; decoder weight and bias tied.
  EXPECT_EQ(params_of(xlmr_base("XLMRobertaForMaskedLM"), "XLMRobertaForMaskedLM"),
            kNoPooler + 590592u + 1536u + 250002u);
}

}  // namespace
