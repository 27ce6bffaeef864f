// Falcon without a fixture, checked against real checkpoint indexes: the remote-code RW config of tiiuae/falcon-40b
// (accelerate refuses remote code) and Falcon-180B.
#include <gtest/gtest.h>


#include "arch/registry.h"
#include "memfit.h"
#include "source/catalog.h"
#include "test_util.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Falcon, RefinedWeb40BMatchesTheIndex) {
  const CatalogEntry* e = find_in_catalog("tiiuae/falcon-40b");
  ASSERT_NE(e, nullptr);
  ModelSource src{"tiiuae/falcon-40b", "catalog", std::string(e->config), "tiiuae/falcon-40b", std::string(e->library)};
  auto b = build_model(src, {});
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_FALSE(b->approximate);
  EXPECT_EQ(b->cls, "FalconForCausalLM");  // the config's auto_map names AutoModelForCausalLM
  // hidden 8192, 128 heads of 64, 8 KV heads, 60 layers, vocab 65024, no biases:
  // layer: query_key_value 8192*(2*8+128)*64 = 75,497,472; dense 8192^2 = 67,108,864; MLP 2*8192*32768 =
  //        536,870,912; ln_attn + ln_mlp 4*8192 = 32,768 -> 679,510,016; x60 = 40,770,600,960
  // word_embeddings 65024*8192 = 532,676,608; ln_f 16,384; lm_head tied -> 41,303,293,952
  uint64_t params = measure(b->model).parameters;
  EXPECT_EQ(params, 41'303'293'952u);
  // The bfloat16 .bin index lists lm_head.weight beside the embeddings it is tied to.
  Json idx = testing_util::load_index("tiiuae/falcon-40b/pytorch_model.bin.index.json");
  EXPECT_EQ(2 * (params + 65024u * 8192u), testing_util::index_total(idx));
  // Every index tensor but the tied lm_head.weight.
  EXPECT_EQ(testing_util::names_in_index(b->model, idx) + 1, idx["weight_map"].size());
}

TEST(Falcon, Falcon180BAgainstItsIndex) {
  // tiiuae/falcon-180B-chat's config.json as published: no `tie_word_embeddings` key, so FalconConfig's default (True)
  // ties lm_head to the word embeddings. The checkpoint nevertheless stores lm_head.weight as its own tensor.
  Json c = Json::parse(R"({"alibi": false, "architectures": ["FalconForCausalLM"], "attention_dropout": 0.0,
    "bias": false, "bos_token_id": 11, "eos_token_id": 11, "hidden_dropout": 0.0, "hidden_size": 14848,
    "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "falcon", "multi_query": true,
    "new_decoder_architecture": true, "num_attention_heads": 232, "num_hidden_layers": 80, "num_kv_heads": 8,
    "parallel_attn": true, "torch_dtype": "bfloat16", "transformers_version": "4.32.0", "use_cache": true,
    "vocab_size": 65024})");
  auto b = build_transformers(c, Target::TaskModel);
  ASSERT_TRUE(b) << b.error().message;
  // layer: query_key_value 14848*(2*8+232)*64 = 235,667,456; dense 14848^2 = 220,463,104; MLP 2*14848*59392 =
  //        1,763,704,832; ln_attn + ln_mlp 4*14848 = 59,392 -> 2,219,894,784; x80 = 177,591,582,720
  // word_embeddings (tied lm_head counted once) 65024*14848 = 965,476,352; ln_f 29,696 -> 178,557,088,768
  uint64_t params = measure(b->model).parameters;
  EXPECT_EQ(params, 178'557'088'768u);
  // The real relation: the checkpoint is the model plus a separate copy of the tied lm_head, in bfloat16.
  Json idx = testing_util::load_index("tiiuae/falcon-180B-chat/model.safetensors.index.json");
  EXPECT_EQ(2 * (params + 65024u * 14848u), testing_util::index_total(idx));
  EXPECT_EQ(testing_util::names_in_index(b->model, idx) + 1, idx["weight_map"].size());
  EXPECT_TRUE(idx["weight_map"].contains("lm_head.weight"));
}

}  // namespace
