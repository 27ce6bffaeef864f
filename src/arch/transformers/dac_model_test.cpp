// DAC (dac, withheld from the default-config sweep; its encoder and decoder are checked through X-Codec's and PE
// Audio's sweep cases): the default DacModel against a count derived from modeling_dac.py.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// DacResidualUnit(d): two Snake1d alphas (d each), Conv1d(d, d, 7) and Conv1d(d, d, 1), with biases.
constexpr uint64_t residual_unit(uint64_t d) { return 2 * d + d * d * 7 + d + d * d + d; }

TEST(Dac, DefaultConfigMatchesTheModuleTree) {
  auto b = build_transformers(Json::parse(R"({"model_type": "dac"})"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cls, "DacModel");
  // Encoder: conv1 Conv1d(1, 64, 7); per stride s of [2, 4, 8, 8] the width doubles (d/2 -> d): three residual
  // units and a Snake1d at d/2, Conv1d(d/2, d, 2s); then Snake1d(1024) and Conv1d(1024, hidden 1024, 3).
  uint64_t enc = 64 * 7 + 64, d = 64;
  for (uint64_t s : {2, 4, 8, 8}) {
    d *= 2;
    enc += 3 * residual_unit(d / 2) + d / 2 + d / 2 * d * 2 * s + d;
  }
  enc += d + d * 1024 * 3 + 1024;
  // Decoder: Conv1d(1024, 1536, 7); per stride s of [8, 8, 4, 2] (upsampling_ratios, reversed) from i to o = i/2:
  // Snake1d(i), ConvTranspose1d(i, o, 2s) with bias, three residual units at o; then Snake1d(96), Conv1d(96, 1, 7).
  uint64_t dec = 1024ull * 1536 * 7 + 1536, in = 1536;
  for (uint64_t s : {8, 8, 4, 2}) {
    uint64_t o = in / 2;
    dec += in + in * o * 2 * s + o + 3 * residual_unit(o);
    in = o;
  }
  dec += 96 + 96 * 7 + 1;
  // Quantizer: 9 codebooks of in_proj Conv1d(1024, 8, 1), out_proj Conv1d(8, 1024, 1), Embedding(1024, 8).
  const uint64_t quant = 9 * (1024 * 8 + 8 + 8 * 1024 + 1024 + 1024 * 8);
  EXPECT_EQ(enc, 22'299'200u);
  EXPECT_EQ(dec, 54'091'105u);
  Measurement m = measure(b->model);
  EXPECT_EQ(m.parameters, enc + dec + quant);
  EXPECT_EQ(m.parameters, 76'620'777u);
  // _no_split_modules ["DacResidualUnit"]: the decoder's first ConvTranspose1d(1536, 768, 16) is the largest leaf.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"decoder.block.0.conv_t1"});
  EXPECT_EQ(m.largest_bits, (1536ull * 768 * 16 + 768) * 32);

  // hidden_size and upsampling_ratios always follow downsampling_ratios (DacConfig.__post_init__).
  auto odd = build_transformers(Json::parse(R"({"model_type": "dac", "hidden_size": 5, "upsampling_ratios": [3]})"));
  ASSERT_TRUE(odd) << odd.error().message;
  EXPECT_EQ(measure(odd->model).parameters, m.parameters);
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "dac", "codebook_size": 1000})")));
}

}  // namespace MEMFIT_TU
