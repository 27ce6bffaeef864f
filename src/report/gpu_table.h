// Renders GPU table rows (hardware/gpus.h) for `memfit gpus`: a text table, markdown, JSON and CSV.
#pragma once
#include <string>
#include <vector>

#include "hardware/gpus.h"

namespace memfit {

std::string render_gpus_table(const std::vector<const Gpu*>& rows);
std::string render_gpus_markdown(const std::vector<const Gpu*>& rows);
// JSON: {"gpus": [{vendor, name, aliases, family, segment, memory_bytes, usable_bytes, usable_measured,
// usable_source, bandwidth_gbs, bf16_tflops, hf_tflops, bf16, fp8, unified, year, source}, ...]}
std::string render_gpus_json(const std::vector<const Gpu*>& rows);
std::string render_gpus_csv(const std::vector<const Gpu*>& rows);  // the JSON keys; aliases joined with '|'

}  // namespace memfit
