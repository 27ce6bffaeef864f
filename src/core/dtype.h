// Tensor element types, as PyTorch names them, with their storage size in bits (accelerate counts bool as 1/8 byte).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace memfit {

enum class DType : uint8_t { F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U8, Bool, C64 };

// Bits per element as accelerate's dtype_byte_size counts them (bool: 1 bit).
int dtype_bits(DType d);
// PyTorch's name, e.g. "torch.float32".
std::string_view torch_name(DType d);
// Parses "float32", "torch.float32", "bfloat16", "bf16", "F32", ...
std::optional<DType> parse_dtype(std::string_view s);

}  // namespace memfit
