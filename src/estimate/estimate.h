// accelerate's per-dtype rows: largest layer and total divided by 1/2/4/8 for float32/float16/int8/int4, and
// "Training using Adam" as 4 x the row's total (the seed document's rule).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "arch/registry.h"
#include "tree/breakdown.h"
#include "estimate/quantize.h"
#include "tree/measure.h"

namespace memfit {

// One byte count as Python holds it: the value, and whether Python has it as an int (matters below 1 KB only).
struct Bytes {
  double value = 0;
  bool py_int = true;
};

struct Row {
  std::string dtype;  // float32 | float16 | int8 | int4
  Bytes largest, total, training;
};

struct Estimate {
  std::string model;         // as the user named it
  std::string library;       // transformers | timm
  std::string source;        // local | catalog | hub | cache
  std::string architecture;  // class built, e.g. "BertModel"
  Measurement m;
  std::vector<Row> rows;
  std::vector<BreakdownEntry> breakdown;  // filled when asked for (--breakdown)
  bool approximate = false;        // the architecture was not implemented: a generic estimate
  std::vector<std::string> notes;  // assumptions and substitutions, one sentence each
  // Size as loaded with the config's quantization_config, or with the --quantization what-if (extra section).
  std::optional<QuantizedSize> quantized;
  std::string quantized_origin;  // "quantization_config" or "what-if"
};

// The four dtypes accelerate knows, in its default order.
const std::vector<std::string>& accelerate_dtypes();
bool is_accelerate_dtype(const std::string& d);

std::vector<Row> accelerate_rows(const Measurement& m, const std::vector<std::string>& dtypes);

}  // namespace memfit
