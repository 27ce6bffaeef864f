// Wav2Vec2-BERT (withheld from the sweep: no fixture): the default config as transformers fills it
// ({"model_type": "wav2vec2-bert"}), counted by hand from modeling_wav2vec2_bert.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// Defaults (Wav2Vec2BertConfig): hidden 1024, 24 layers, 16 heads, intermediate 4096, feature_projection_input_dim
// 160, position_embeddings_type relative_key (left 64 + right 8 + 1 = 73 distances), depthwise kernel 31,
// mask_time_prob 0.05, no adapter, no intermediate FFN.
//   feature_projection: layer_norm 2*160 = 320; projection 160*1024+1024 = 164,864          -> 165,184
//   masked_spec_embed [1024]                                                                  -> 1,024
//   encoder (no position module for relative_key, no final norm), per layer:
//     ffn1_layer_norm 2,048; ffn1 1024*4096+4096 + 4096*1024+1024 = 8,393,728
//     self_attn_layer_norm 2,048; self_attn 4*(1024*1024+1024) = 4,198,400 + distance_embedding 73*64 = 4,672
//     conv_module: layer_norm 2,048; pointwise_conv1 2048*1024 = 2,097,152; depthwise_conv 1024*31 = 31,744;
//                  depthwise_layer_norm 2,048; pointwise_conv2 1024*1024 = 1,048,576              = 3,181,568
//     ffn2_layer_norm 2,048; ffn2 8,393,728; final_layer_norm 2,048
//     layer = 24,180,288; 24 layers = 580,326,912
//   total 165,184 + 1,024 + 580,326,912 = 580,493,120 parameters, no buffers, in line with the ~580M
//   published for facebook/w2v-bert-2.0 (same dimensions). xcodec2's default semantic encoder (16 such layers) is held to the same
//   per-layer size by the sweep.
constexpr uint64_t kDefaultParams = 580493120;

TEST(Wav2Vec2Bert, DefaultConfigModel) {
  auto built = build_transformers(Json::parse(R"({"model_type": "wav2vec2-bert"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Wav2Vec2BertModel");
  EXPECT_FALSE(built->approximate);
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, kDefaultParams);
  EXPECT_EQ(m.buffer_bits, 0u);
  EXPECT_EQ(m.total_bits, kDefaultParams * 32);
  // _no_split_modules = [Wav2Vec2BertEncoderLayer]: each layer is one block of 24,180,288 * 4 bytes.
  EXPECT_EQ(m.largest_bits, 24180288ull * 32);
  ASSERT_EQ(m.largest_names.size(), 24u);
  EXPECT_EQ(m.largest_names.front(), "encoder.layers.0");
  std::map<std::string, uint64_t> sizes;
  for (const auto& [k, v] : module_sizes(built->model)) sizes[k] = v;
  EXPECT_EQ(sizes["feature_projection"], 165184ull * 32);
  EXPECT_EQ(sizes["masked_spec_embed"], 1024ull * 32);
  EXPECT_EQ(sizes["encoder"], 580326912ull * 32);
  EXPECT_EQ(sizes["encoder.layers.0.self_attn.distance_embedding"], 73ull * 64 * 32);
  EXPECT_EQ(sizes["encoder.layers.0.conv_module.depthwise_layer_norm"], 2048ull * 32);
  EXPECT_EQ(sizes.count("encoder.embed_positions"), 0u);
  EXPECT_EQ(sizes.count("adapter"), 0u);
}

TEST(Wav2Vec2Bert, CtcWithAdapterAndRelativePositions) {
  // A w2v-BERT 2.0 fine-tuning set-up: CTC over a 2-layer adapter down to 512, `relative` positions.
  auto built = build_transformers(Json::parse(R"({"model_type": "wav2vec2-bert", "architectures": ["Wav2Vec2BertForCTC"],
    "add_adapter": true, "num_adapter_layers": 2, "output_hidden_size": 512, "vocab_size": 40,
    "position_embeddings_type": "relative", "num_hidden_layers": 2, "mask_time_prob": 0.0})"),
                                   Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Wav2Vec2BertForCTC");
  std::vector<std::string> names;
  for (const auto& e : state_dict(built->model)) names.push_back(e.name);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  EXPECT_TRUE(has("wav2vec2_bert.encoder.layers.1.self_attn.pos_bias_u"));
  EXPECT_TRUE(has("wav2vec2_bert.encoder.layers.1.self_attn.linear_pos.weight"));
  EXPECT_FALSE(has("wav2vec2_bert.encoder.layers.1.self_attn.distance_embedding.weight"));
  EXPECT_FALSE(has("wav2vec2_bert.encoder.embed_positions.pe"));  // not persistent
  EXPECT_TRUE(has("wav2vec2_bert.adapter.proj.weight"));
  EXPECT_TRUE(has("wav2vec2_bert.adapter.layers.1.self_attn_conv.weight"));
  EXPECT_FALSE(has("wav2vec2_bert.masked_spec_embed"));
  // Adapter layer (512 wide, intermediate 4096): residual_conv and self_attn_conv 2*(512*1024*3+1024) = 3,147,776,
  // attention 4*(512*512+512) = 1,050,624, ffn 512*4096+4096 + 4096*512+512 = 4,198,912, three LayerNorms 3,072
  // -> 8,400,384 per layer; the adapter adds proj 1024*512+512 and proj_layer_norm 1,024. lm_head 512*40+40 = 20,520.
  Measurement m = measure(built->model);
  uint64_t layer = 2048 + 8393728 + 2048 + 4198400 + 1024 * 1024 + 2 * 16 * 64 + 3181568 + 2048 + 8393728 + 2048;
  uint64_t adapter = 1024 * 512 + 512 + 1024 + 2 * 8400384;
  EXPECT_EQ(m.parameters, 165184 + 2 * layer + adapter + 20520);
  // The relative table [1, 2*5000-1, 1024] is a float32 buffer.
  EXPECT_EQ(m.buffer_bits, 9999ull * 1024 * 32);
}

}  // namespace
