// DeepSpeed's own ZeRO model-state estimators, re-expressed: estimate_zero2_model_states_mem_needs and
// estimate_zero3_model_states_mem_needs (deepspeed/runtime/zero/stage_1_and_2.py, stage3.py), with the same
// arguments, defaults and Python arithmetic (float products truncated by int()), so the outputs are byte-identical.
#pragma once
#include <cstdint>

namespace memfit {

struct ZeroEstimate {
  uint64_t cpu_bytes = 0;  // per CPU (node)
  uint64_t gpu_bytes = 0;  // per GPU
  uint64_t largest_layer_bytes = 0;  // ZeRO-3 only: 4 * largest_layer_params
};

// ZeRO-2: no offload GPU = 2P + int(18P / N); CPU = P * 4 * n * f. Optimizer offload: GPU = 2P,
// CPU = P * max(4N, 16) * f. (P parameters, N = n * nodes GPUs, f = additional_buffer_factor.)
ZeroEstimate deepspeed_zero2_estimate(uint64_t total_params, int num_gpus_per_node = 1, int num_nodes = 1,
                                      bool cpu_offload = true, double additional_buffer_factor = 1.5);

// ZeRO-3 (LL = 4 * largest_layer_params, g = 1 / nodes): no offload GPU = LL + int(18P / N), CPU = largest * 4 * n * f
// (zero_init) or P * 4 * n * f; optimizer offload GPU = LL + int(2P / N), CPU = P * 16 * g * f (zero_init) or
// P * max(4n, 16g) * f; optimizer + parameter offload GPU = LL, CPU = P * 18 * g * f or P * max(4n, 18g) * f.
ZeroEstimate deepspeed_zero3_estimate(uint64_t total_params, uint64_t largest_layer_params, int num_gpus_per_node = 1,
                                      int num_nodes = 1, bool cpu_offload = true, bool cpu_offload_params = true,
                                      bool zero_init = true, double additional_buffer_factor = 1.5);

}  // namespace memfit
