// Aya Vision (modeling_aya_vision.py): its default config fails in transformers (a 1152-wide SigLIP tower over 14
// heads: SiglipAttention's divisibility check), so it is not in the default-config sweep; memfit refuses it the same
// way, before building the Cohere2 text model.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(AyaVision, DefaultConfigFailsAsInTransformers) {
  auto b = build_transformers(Json{{"model_type", "aya_vision"}});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, ErrorKind::BadInput);
  EXPECT_NE(b.error().message.find("1152 is not divisible by 14"), std::string::npos) << b.error().message;
}

}  // namespace
