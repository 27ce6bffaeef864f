#include "estimate/estimate.h"

#include <algorithm>

namespace memfit {

const std::vector<std::string>& accelerate_dtypes() {
  static const std::vector<std::string> d{"float32", "float16", "int8", "int4"};
  return d;
}

bool is_accelerate_dtype(const std::string& d) {
  const auto& all = accelerate_dtypes();
  return std::find(all.begin(), all.end(), d) != all.end();
}

std::vector<Row> accelerate_rows(const Measurement& m, const std::vector<std::string>& dtypes) {
  std::vector<Row> rows;
  const double total = static_cast<double>(m.total_bits) / 8.0;
  const double largest = static_cast<double>(m.largest_bits) / 8.0;
  const bool whole = !m.fractional;  // Python keeps ints unless a bool tensor made the sum a float
  for (const auto& d : dtypes) {
    double div = d == "float16" ? 2 : d == "int8" ? 4 : d == "int4" ? 8 : 1;
    Row r{d, {largest / div, whole && div == 1}, {total / div, whole && div == 1}, {}};
    // 4 x the row's total; for float32 and float16 this is also what accelerate prints (an int there).
    r.training = {4 * total / div, whole && div <= 2};
    rows.push_back(r);
  }
  return rows;
}

}  // namespace memfit
