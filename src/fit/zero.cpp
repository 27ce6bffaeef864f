#include "fit/zero.h"

#include <algorithm>

namespace memfit {

namespace {
// Python's int() of a non-negative float: truncation.
uint64_t py_int(double x) { return x <= 0 ? 0 : static_cast<uint64_t>(x); }
// Python's max(int, float) times P times f: the int branch keeps the product exact before the float factor.
double times_max(uint64_t p, uint64_t int_arg, double float_arg, double f) {
  if (static_cast<double>(int_arg) >= float_arg) return static_cast<double>(p * int_arg) * f;
  return static_cast<double>(p) * float_arg * f;
}
}  // namespace

ZeroEstimate deepspeed_zero2_estimate(uint64_t P, int n, int nodes, bool cpu_offload, double f) {
  uint64_t total_gpus = static_cast<uint64_t>(n) * static_cast<uint64_t>(nodes);
  ZeroEstimate e;
  if (cpu_offload) {
    e.gpu_bytes = 2 * P;
    e.cpu_bytes = py_int(static_cast<double>(P * std::max<uint64_t>(4 * total_gpus, 16)) * f);
  } else {
    e.gpu_bytes = 2 * P + py_int(static_cast<double>(18 * P) / static_cast<double>(total_gpus));
    e.cpu_bytes = py_int(static_cast<double>(P * 4 * static_cast<uint64_t>(n)) * f);
  }
  return e;
}

ZeroEstimate deepspeed_zero3_estimate(uint64_t P, uint64_t largest, int n, int nodes, bool cpu_offload,
                                      bool cpu_offload_params, bool zero_init, double f) {
  uint64_t total_gpus = static_cast<uint64_t>(n) * static_cast<uint64_t>(nodes);
  double gpus_factor = 1.0 / static_cast<double>(nodes);
  ZeroEstimate e;
  e.largest_layer_bytes = 4 * largest;
  double cpu = 0;
  uint64_t un = static_cast<uint64_t>(n);
  if (cpu_offload) {
    if (cpu_offload_params) {
      e.gpu_bytes = e.largest_layer_bytes;
      cpu = zero_init ? static_cast<double>(P * 18) * gpus_factor * f : times_max(P, 4 * un, 18 * gpus_factor, f);
    } else {
      e.gpu_bytes = e.largest_layer_bytes + py_int(static_cast<double>(2 * P) / static_cast<double>(total_gpus));
      cpu = zero_init ? static_cast<double>(P * 16) * gpus_factor * f : times_max(P, 4 * un, 16 * gpus_factor, f);
    }
  } else {
    e.gpu_bytes = e.largest_layer_bytes + py_int(static_cast<double>(18 * P) / static_cast<double>(total_gpus));
    cpu = zero_init ? static_cast<double>(largest * 4 * un) * f : static_cast<double>(P * 4 * un) * f;
  }
  e.cpu_bytes = py_int(cpu);
  return e;
}

}  // namespace memfit
