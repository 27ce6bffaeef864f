// DeepSpeed's ZeRO estimators, checked against the values their formulas give by hand (Python arithmetic).
#include "fit/zero.h"

#include <gtest/gtest.h>
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

// Llama-2-7b-hf: P = 6,738,415,616 parameters; largest layer = the embedding (or LM head), 32000 * 4096 = 131,072,000.
constexpr uint64_t P = 6'738'415'616, LL = 131'072'000;

TEST(DeepSpeedZero2, NoOffloadOneGpu) {
  // gpu = 2P + int(18P / 1) = 20P = 134,768,312,320; cpu = P * 4 * 1 * 1.5 = 40,430,493,696.
  auto e = deepspeed_zero2_estimate(P, 1, 1, false);
  EXPECT_EQ(e.gpu_bytes, 134'768'312'320u);
  EXPECT_EQ(e.cpu_bytes, 40'430'493'696u);
}

TEST(DeepSpeedZero2, NoOffloadEightGpus) {
  // gpu = 2P + int(18P / 8) = 13,476,831,232 + 15,161,435,136 = 28,638,266,368; cpu = P * 4 * 8 * 1.5 = 323,443,949,568.
  auto e = deepspeed_zero2_estimate(P, 8, 1, false);
  EXPECT_EQ(e.gpu_bytes, 28'638'266'368u);
  EXPECT_EQ(e.cpu_bytes, 323'443'949'568u);
}

TEST(DeepSpeedZero2, OptimizerOffload) {
  // gpu = 2P = 13,476,831,232; cpu = P * max(4 * 8, 16) * 1.5 = P * 48 = 323,443,949,568 (8 GPUs);
  // one GPU: P * max(4, 16) * 1.5 = P * 24 = 161,721,974,784.
  auto e8 = deepspeed_zero2_estimate(P, 8, 1, true);
  EXPECT_EQ(e8.gpu_bytes, 13'476'831'232u);
  EXPECT_EQ(e8.cpu_bytes, 323'443'949'568u);
  auto e1 = deepspeed_zero2_estimate(P, 1, 1, true);
  EXPECT_EQ(e1.cpu_bytes, 161'721'974'784u);
}

TEST(DeepSpeedZero2, FactorAndNodes) {
  // 2 nodes x 4 GPUs, factor 1.0: gpu = 2P + int(18P / 8) = 28,638,266,368; cpu = P * 4 * 4 = 107,814,649,856.
  auto e = deepspeed_zero2_estimate(P, 4, 2, false, 1.0);
  EXPECT_EQ(e.gpu_bytes, 28'638'266'368u);
  EXPECT_EQ(e.cpu_bytes, 107'814'649'856u);
}

// ZeRO-3 over 8 GPUs per node; LL = 4 * 131,072,000 = 524,288,000. Each row: options, then GPU and CPU bytes by hand.
struct Zero3Case {
  const char* name;
  bool offload, offload_params, zero_init;
  int nodes;
  uint64_t gpu, cpu;
};
constexpr Zero3Case kZero3[] = {
    // gpu = LL + int(18P / 8) = 524,288,000 + 15,161,435,136; cpu = LL_params * 4 * 8 * 1.5 (zero_init)
    {"no offload, zero_init", false, false, true, 1, 15'685'723'136, 6'291'456'000},
    // cold: cpu = P * 4 * 8 * 1.5
    {"no offload, cold", false, false, false, 1, 15'685'723'136, 323'443'949'568},
    // gpu = LL + int(2P / 8) = 524,288,000 + 1,684,603,904; cpu = P * 16 * (1/1) * 1.5
    {"optimizer offload, zero_init", true, false, true, 1, 2'208'891'904, 161'721'974'784},
    // cold: cpu = P * max(4 * 8, 16 / 1) * 1.5 = P * 48
    {"optimizer offload, cold", true, false, false, 1, 2'208'891'904, 323'443'949'568},
    // gpu = LL; cpu = P * 18 * 1.5
    {"optimizer + params offload, zero_init", true, true, true, 1, 524'288'000, 181'937'221'632},
    // two nodes (16 GPUs): P * 18 * 0.5 * 1.5
    {"optimizer + params offload, 2 nodes", true, true, true, 2, 524'288'000, 90'968'610'816},
    // cold: max(4 * 8, 18) = 32, the int: P * 32 * 1.5
    {"optimizer + params offload, cold", true, true, false, 1, 524'288'000, 323'443'949'568},
};

TEST(DeepSpeedZero3, ByHand) {
  for (const auto& c : kZero3) {
    SCOPED_TRACE(c.name);
    auto e = deepspeed_zero3_estimate(P, LL, 8, c.nodes, c.offload, c.offload_params, c.zero_init);
    EXPECT_EQ(e.largest_layer_bytes, 524'288'000u);
    EXPECT_EQ(e.gpu_bytes, c.gpu);
    EXPECT_EQ(e.cpu_bytes, c.cpu);
  }
  // One GPU, cold, both offloads: P * max(4, 18.0) * 1.5 = P * 27 (the float branch) = 181,937,221,632.
  EXPECT_EQ(deepspeed_zero3_estimate(P, LL, 1, 1, true, true, false).cpu_bytes, 181'937'221'632u);
}

TEST(DeepSpeedZero3, TruncatesLikePython) {
  // P = 1,000,000,001 on 3 GPUs: int(18P / 3) = int(6,000,000,006.0) = 6,000,000,006; int(2P / 3) =
  // int(666,666,667.33) = 666,666,667. Factor 1.1: cpu (param offload, zero_init) = int(P * 18 * 1.1)
  // = int(19,800,000,019.8) = 19,800,000,019.
  constexpr uint64_t p = 1'000'000'001;
  EXPECT_EQ(deepspeed_zero3_estimate(p, 0, 3, 1, false, false, true).gpu_bytes, 6'000'000'006u);
  EXPECT_EQ(deepspeed_zero3_estimate(p, 0, 3, 1, true, false, true).gpu_bytes, 666'666'667u);
  EXPECT_EQ(deepspeed_zero3_estimate(p, 0, 3, 1, true, true, true, 1.1).cpu_bytes, 19'800'000'019u);
}

}  // namespace
}  // namespace memfit
