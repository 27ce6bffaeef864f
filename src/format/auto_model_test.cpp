#include "format/auto_model.h"

#include <gtest/gtest.h>

#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

// The generated mapping: AutoModel's class for a model type, "" for the sub-configs transformers cannot build alone.
TEST(AutoModel, ClassesFromTransformersMapping) {
  EXPECT_EQ(auto_model_class("bert"), "BertModel");
  EXPECT_EQ(auto_model_class("afmoe"), "AfmoeModel");                      // the first line
  EXPECT_EQ(auto_model_class("funnel"), "FunnelModel");                    // (FunnelModel, FunnelBaseModel): the first
  EXPECT_EQ(auto_model_class("qwen3_5"), "Qwen3_5Model");
  EXPECT_EQ(auto_model_class("siglip_text_model"), "");                    // a part of SigLIP: no AutoModel class
  EXPECT_EQ(auto_model_class("depth_anything"), "");
  EXPECT_EQ(auto_model_class("evolla"), "");  // EvollaConfig resolves to "EvollaModel", which has no AutoModel class
  EXPECT_EQ(auto_model_class("gpt-sw3"), "GPT2Model");  // GPT2Config resolves to gpt2
  EXPECT_EQ(auto_model_class("bert\":\"x"), "");                           // never matches inside an entry
  EXPECT_EQ(auto_model_class(""), "");
}

}  // namespace MEMFIT_TU
}  // namespace memfit
