// The library's front door: from a model name to an Estimate (resolve -> parse -> build -> measure -> rows).
// The CLI and the HTTP server call only this.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "arch/registry.h"
#include "core/error.h"
#include "estimate/estimate.h"
#include "source/resolve.h"

namespace memfit {

struct EstimateOptions {
  std::string library;                                 // "", "transformers" or "timm" ("" = detect from the config)
  std::vector<std::string> dtypes = accelerate_dtypes();
  Target target = Target::Accelerate;                  // --task-model builds the config's architectures[0]
  ResolveOptions resolve;
  bool breakdown = false;                              // fill Estimate::breakdown
  std::string quantization;                            // what-if scheme (quantization_names()); "" = the config's
};

// Parses a config and builds its model with the given (or detected) library.
Result<BuiltModel> build_model(const ModelSource& src, const EstimateOptions& opts);
Result<Estimate> estimate_memory(std::string_view model, const EstimateOptions& opts = {});

}  // namespace memfit
