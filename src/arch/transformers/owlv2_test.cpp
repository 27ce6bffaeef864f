// OWLv2 (owlv2, withheld from the default-config sweep; owlvit's case is in it): the default Owlv2Model against
// OwlViT's default, derived from modeling_owlv2.py, which copies OwlViT's model under its own prefix.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Owlv2, DefaultConfigIsOwlViTsWithSixteenPixelPatches) {
  auto v2 = build_transformers(Json::parse(R"({"model_type": "owlv2"})"));
  auto v1 = build_transformers(Json::parse(R"({"model_type": "owlvit"})"));
  ASSERT_TRUE(v2) << v2.error().message;
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(v2->cls, "Owlv2Model");
  Measurement a = measure(v2->model), b = measure(v1->model);
  EXPECT_EQ(b.parameters, 151'650'817ull);
  // Both see 768-pixel images with a 768-wide ViT-B and the same CLIP text model; OWLv2's patches are 16 pixels, not
  // 32: positions 48^2 + 1 = 2,305 instead of 577 (1,728 more rows of 768), patch_embedding 3*768*16*16 instead of
  // 3*768*32*32, and the position_ids buffer (int64) 1,728 entries longer.
  EXPECT_EQ(a.parameters, b.parameters + 1'728ull * 768 - 3ull * 768 * (32 * 32 - 16 * 16));
  EXPECT_EQ(a.buffer_bits, b.buffer_bits + 1'728ull * 64);
  EXPECT_EQ(a.parameters, 151'208'449ull);
}

}  // namespace MEMFIT_TU
