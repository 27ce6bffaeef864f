// Renders an Estimate: accelerate's box table, the seed's markdown table, JSON and CSV. Pure text functions.
#pragma once
#include <string>
#include <vector>

#include "estimate/estimate.h"

namespace memfit {

// accelerate's create_ascii_table (title centered, columns sized to content), with its glitch for a title exactly
// as wide as the separator drawn correctly.
std::string ascii_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows,
                        const std::string& title);

std::string render_table(const Estimate& e);     // what `accelerate estimate-memory` prints
std::string render_markdown(const Estimate& e);  // the seed document's layout
std::string render_json(const Estimate& e);
// The --breakdown section: top-level modules and runs of repeated blocks, in float32 bytes.
std::string render_breakdown(const Estimate& e);
std::string render_csv(const Estimate& e);

// The printed strings of one row (dtype, largest layer, total, training).
std::vector<std::string> row_strings(const Row& r);

}  // namespace memfit
