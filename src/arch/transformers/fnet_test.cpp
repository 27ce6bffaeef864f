// FNet (fnet, withheld from the default-config sweep): the default config against a count derived from
// modeling_fnet.py, module by module (google/fnet-base publishes 83M).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(FNet, DefaultConfigMatchesTheModuleTree) {
  auto b = build_transformers(Json::parse(R"({"model_type": "fnet"})"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "FNetModel");
  Measurement m = measure(b->model);
  // Embeddings: word 32000*768, position 512*768, token type 4*768, LayerNorm 1,536, projection 768^2 + 768:
  // 25,564,416. Each of 12 layers: the Fourier transform has no parameters, its output LayerNorm 1,536; intermediate
  // 768*3072 + 3072, output 3072*768 + 768 and LayerNorm 1,536: 4,725,504. Pooler 768^2 + 768 = 590,592.
  const uint64_t params = 25'564'416ull + 12 * 4'725'504ull + 590'592;
  EXPECT_EQ(params, 82'861'056ull);
  EXPECT_EQ(m.parameters, params);
  // position_ids and token_type_ids, [1, 512] int64 each (non-persistent: accelerate counts them).
  EXPECT_EQ(m.buffer_bits, 2ull * 512 * 64);
  // No _no_split_modules: the largest layer is the largest leaf, the word embeddings.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings.word_embeddings"});
  EXPECT_EQ(m.largest_bits, 32000ull * 768 * 32);

  // TPU Fourier optimisations: two complex64 DFT matrices per layer, hidden^2 and tpu_short_seq_length^2.
  auto tpu = build_transformers(Json::parse(R"({"model_type": "fnet", "use_tpu_fourier_optimizations": true,
                                                "tpu_short_seq_length": 128})"));
  ASSERT_TRUE(tpu) << tpu.error().message;
  EXPECT_EQ(measure(tpu->model).buffer_bits, 2ull * 512 * 64 + 12ull * (768 * 768 + 128 * 128) * 64);
}

}  // namespace MEMFIT_TU
