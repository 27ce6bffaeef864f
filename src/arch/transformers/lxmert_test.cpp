// lxmert (withheld from the default-config sweep): LxmertConfig's default (the unc-nlp/lxmert-base-uncased shape)
// derived module by module from modeling_lxmert.py, for LxmertModel and the two task heads.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// hidden 768, intermediate 3072, vocab 30522, 512 positions, 2 token types, 9 language / 5 cross / 5 vision layers:
//   embeddings: 30522 * 768 + 512 * 768 + 2 * 768 + LayerNorm 1536 = 23,837,184.
//   encoder.visn_fc: visn_fc 2048 * 768 + 768, visn_layer_norm 1536, box_fc 4 * 768 + 768, box_layer_norm 1536
//     = 1,580,544.
//   an attention layer (query, key, value 3 * (768 * 768 + 768), output.dense 768 * 768 + 768, LayerNorm 1536)
//     = 2,363,904; intermediate 768 * 3072 + 3072 = 2,362,368; output 3072 * 768 + 768 + 1536 = 2,361,600.
//   LxmertLayer (layer, r_layers) = 7,087,872; LxmertXLayer (visual_attention, lang/visn_self_att, lang/visn
//   inter + output) = 3 * 2,363,904 + 2 * (2,362,368 + 2,361,600) = 16,539,648.
//   pooler.dense 768 * 768 + 768 = 590,592.
//   LxmertModel = 23,837,184 + 1,580,544 + 14 * 7,087,872 + 5 * 16,539,648 + 590,592 = 207,936,768.
constexpr uint64_t kModel = 207'936'768;
// The QA head: Linear(768, 1536), GeLU, LayerNorm(1536), Linear(1536, 9500) = 1,181,184 + 3072 + 14,601,500.
constexpr uint64_t kAnswer = 768 * 1536 + 1536 + 3072 + 1536 * 9500 + 9500;  // 15,785,756

TEST(Lxmert, DefaultConfigModuleByModule) {
  auto built = build_transformers(Json::parse(R"({"model_type": "lxmert"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "LxmertModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, kModel);
  EXPECT_EQ(m.buffer_bits, 0u);  // position ids are made in forward
  // No _no_split_modules: the largest layer is the largest leaf, the word embeddings.
  EXPECT_EQ(m.largest_bits / 8, 30'522ull * 768 * 4);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings.word_embeddings"});
  auto enc = built->model.root->child("encoder");
  EXPECT_EQ(enc->child("layer")->children.size(), 9u);
  EXPECT_EQ(enc->child("x_layers")->children.size(), 5u);
  EXPECT_EQ(enc->child("r_layers")->children.size(), 5u);
}

TEST(Lxmert, PreTrainingAndQuestionAnsweringHeads) {
  auto qa = build_transformers(Json::parse(R"({"model_type": "lxmert",
      "architectures": ["LxmertForQuestionAnswering"]})"), Target::TaskModel);
  ASSERT_TRUE(qa) << qa.error().message;
  EXPECT_EQ(measure(qa->model).parameters, kModel + kAnswer);

  // LxmertForPreTraining: cls.predictions (bias 30522, transform dense 768 * 768 + 768 + LayerNorm 1536, decoder tied
  // to the word embeddings), cls.seq_relationship 768 * 2 + 2, obj_predict_head (transform 591,360 and decoder_dict
  // obj 768 * 1600 + 1600, attr 768 * 400 + 400, feat 768 * 2048 + 2048), answer_head.
  const uint64_t transform = 768 * 768 + 768 + 1536;
  const uint64_t obj = transform + 768 * 1600 + 1600 + 768 * 400 + 400 + 768 * 2048 + 2048;
  auto pre = build_transformers(Json::parse(R"({"model_type": "lxmert",
      "architectures": ["LxmertForPreTraining"]})"), Target::TaskModel);
  ASSERT_TRUE(pre) << pre.error().message;
  EXPECT_EQ(pre->cls, "LxmertForPreTraining");
  EXPECT_EQ(measure(pre->model).parameters, kModel + 30'522 + transform + 1538 + obj + kAnswer);
  EXPECT_EQ(measure(pre->model).parameters, 228'051'752u);

  // Without the object and QA tasks (and untied), only the MLM / matching heads remain, the decoder of its own.
  auto lm = build_transformers(Json::parse(R"({"model_type": "lxmert", "task_obj_predict": false, "task_qa": false,
      "tie_word_embeddings": false, "architectures": ["LxmertForPreTraining"]})"), Target::TaskModel);
  ASSERT_TRUE(lm) << lm.error().message;
  EXPECT_EQ(measure(lm->model).parameters, kModel + 30'522 + transform + 1538 + 768ull * 30522);
}

}  // namespace MEMFIT_TU
