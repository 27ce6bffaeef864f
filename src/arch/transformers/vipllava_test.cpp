// VipLlava (vipllava, withheld from the default-config sweep): the default config ({"model_type": "vipllava"}, filled
// as AutoConfig fills it) against LLaVA's default, which the sweep checks byte-exactly: the two differ only in the
// projector, derived here from modeling_vipllava.py.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(VipLlava, DefaultConfigIsLlavasWithAMultiLayerProjector) {
  auto vip = build_transformers(Json::parse(R"({"model_type": "vipllava"})"));
  auto llava = build_transformers(Json::parse(R"({"model_type": "llava"})"));
  ASSERT_TRUE(vip) << vip.error().message;
  ASSERT_TRUE(llava) << llava.error().message;
  EXPECT_EQ(vip->cls, "VipLlavaModel");
  Measurement v = measure(vip->model), l = measure(llava->model);
  // Both: CLIP ViT-L/14-336 (hidden 1024) and Llama-2-7B-shaped text (hidden 4096). LLaVA's projector takes one
  // vision layer: linear_1 1024*4096 + 4096. VipLlava's takes the 5 of vision_feature_layers [-2, -5, -8, -11, 6]:
  // projector_layernorm 2*5*1024 = 10,240, linear_1 5*1024*4096 + 4096; linear_2 is the same in both.
  const uint64_t extra = 10'240 + 4ull * 1024 * 4096;
  EXPECT_EQ(l.parameters, 6'931'830'784ull);  // the llava sweep case
  EXPECT_EQ(v.parameters, l.parameters + extra);
  EXPECT_EQ(v.parameters, 6'948'618'240ull);
  EXPECT_EQ(v.buffer_bits, l.buffer_bits);
  EXPECT_EQ(v.largest_bits, l.largest_bits);

  auto head = build_transformers(Json::parse(R"({"model_type": "vipllava",
                                                 "architectures": ["VipLlavaForConditionalGeneration"]})"),
                                 Target::TaskModel);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->cls, "VipLlavaForConditionalGeneration");
  // tie_word_embeddings defaults to False: lm_head 4096 x 32000 of its own.
  EXPECT_EQ(measure(head->model).parameters, v.parameters + 4096ull * 32000);
}

}  // namespace MEMFIT_TU
