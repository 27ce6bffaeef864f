// maskformer-swin (withheld from the default-config sweep): MaskFormerSwinModel, the model MaskFormerSwinBackbone
// wraps (the maskformer sweep case checks it there). Its default config is Swin-T's, and its tree is SwinModel's
// without a mask token: the same sizes as the default SwinModel.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(MaskFormerSwin, DefaultConfigIsSwinTsModel) {
  auto mf = build_transformers(Json::parse(R"({"model_type": "maskformer-swin"})"));
  auto swin = build_transformers(Json::parse(R"({"model_type": "swin"})"));
  ASSERT_TRUE(mf) << mf.error().message;
  ASSERT_TRUE(swin) << swin.error().message;
  EXPECT_EQ(mf->cls, "MaskFormerSwinModel");
  Measurement a = measure(mf->model), b = measure(swin->model);
  EXPECT_EQ(a.parameters, 27'519'354u);
  EXPECT_EQ(a.parameters, b.parameters);
  EXPECT_EQ(a.buffer_bits, b.buffer_bits);
  EXPECT_EQ(a.largest_names, std::vector<std::string>{"encoder.layers.3"});
  EXPECT_EQ(a.largest_bits, b.largest_bits);
}

}  // namespace MEMFIT_TU
