#include "core/dtype.h"

#include <array>
#include <string>

namespace memfit {

namespace {
struct Info {
  DType d;
  int bits;
  std::string_view torch;
};
constexpr std::array<Info, 13> kInfo{{
    {DType::F64, 64, "torch.float64"},   {DType::F32, 32, "torch.float32"},
    {DType::F16, 16, "torch.float16"},   {DType::BF16, 16, "torch.bfloat16"},
    {DType::F8_E4M3, 8, "torch.float8_e4m3fn"}, {DType::F8_E5M2, 8, "torch.float8_e5m2"},
    {DType::I64, 64, "torch.int64"},     {DType::I32, 32, "torch.int32"},
    {DType::I16, 16, "torch.int16"},     {DType::I8, 8, "torch.int8"},
    {DType::U8, 8, "torch.uint8"},       {DType::Bool, 1, "torch.bool"},
    {DType::C64, 64, "torch.complex64"},
}};
}  // namespace

int dtype_bits(DType d) { return kInfo[static_cast<size_t>(d)].bits; }
std::string_view torch_name(DType d) { return kInfo[static_cast<size_t>(d)].torch; }

std::optional<DType> parse_dtype(std::string_view s) {
  if (s.starts_with("torch.")) s.remove_prefix(6);
  struct Alias { std::string_view name; DType d; };
  static constexpr Alias aliases[] = {
      {"float64", DType::F64}, {"double", DType::F64}, {"F64", DType::F64},
      {"float32", DType::F32}, {"float", DType::F32}, {"F32", DType::F32}, {"fp32", DType::F32},
      {"float16", DType::F16}, {"half", DType::F16}, {"F16", DType::F16}, {"fp16", DType::F16},
      {"bfloat16", DType::BF16}, {"BF16", DType::BF16}, {"bf16", DType::BF16},
      {"float8_e4m3fn", DType::F8_E4M3}, {"F8_E4M3", DType::F8_E4M3},
      {"float8_e5m2", DType::F8_E5M2}, {"F8_E5M2", DType::F8_E5M2},
      {"int64", DType::I64}, {"long", DType::I64}, {"I64", DType::I64},
      {"int32", DType::I32}, {"int", DType::I32}, {"I32", DType::I32},
      {"int16", DType::I16}, {"I16", DType::I16}, {"int8", DType::I8}, {"I8", DType::I8},
      {"uint8", DType::U8}, {"U8", DType::U8}, {"bool", DType::Bool}, {"BOOL", DType::Bool},
      {"complex64", DType::C64}, {"cfloat", DType::C64}, {"C64", DType::C64},
  };
  for (const auto& a : aliases)
    if (a.name == s) return a.d;
  return std::nullopt;
}

}  // namespace memfit
