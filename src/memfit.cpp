#include "memfit.h"

#include <fmt/format.h>

#include "format/config.h"

namespace memfit {

Result<BuiltModel> build_model(const ModelSource& src, const EstimateOptions& opts) {
  auto json = parse_json(src.config_text, src.config_name);
  if (!json) return std::unexpected(json.error());
  if (!json->is_object()) return fail(ErrorKind::BadInput, fmt::format("{}: not a JSON object", src.config_name));
  std::string lib = opts.library;
  if (lib.empty()) lib = detect_library(*json);
  if (lib.empty()) lib = src.library_hint;
  if (lib.empty())
    return fail(ErrorKind::BadInput,
                fmt::format("Model `{}` does not have any library metadata, please manually pass in a `--library_name` "
                            "to use (such as `transformers`)",
                            src.id));
  if (lib == "timm") return build_timm(*json);
  return build_transformers(*json, opts.target);
}

Result<Estimate> estimate_memory(std::string_view model, const EstimateOptions& opts) {
  auto src = resolve_model(model, opts.resolve);
  if (!src) return std::unexpected(src.error());
  auto built = build_model(*src, opts);
  if (!built) return std::unexpected(built.error());
  Estimate e;
  e.model = std::string(model);
  e.library = built->model.library;
  e.source = src->origin;
  e.architecture = built->cls;
  e.m = measure(built->model);
  e.rows = accelerate_rows(e.m, opts.dtypes);
  if (opts.breakdown) e.breakdown = breakdown(built->model);
  e.approximate = built->approximate;
  e.notes = built->notes;
  return e;
}

}  // namespace memfit
