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
  bool from_hub = src.origin == "hub" || src.origin == "cache";
  if (lib.empty())
    return fail(ErrorKind::BadInput,
                fmt::format("Model `{}` does not have any library metadata{}, please manually pass in a `--library_name` "
                            "to use (such as `transformers`)",
                            src.id, from_hub ? " on the Hub" : ""));
  if (lib == "timm") return build_timm(*json);
  // Remote code: memfit never runs a repository's code. The registry builds what it can natively (known model_type,
  // remote-code aliases, the generic decoder); when it cannot, say that the architecture lives in code.
  auto built = build_transformers(*json, opts.target);
  if (!built && built.error().kind == ErrorKind::Unsupported && json->contains("auto_map")) {
    auto mt = json->find("model_type");
    std::string model_type = mt != json->end() && mt->is_string() ? mt->get<std::string>() : "";
    if (!is_supported_model_type(model_type))
      return fail(ErrorKind::Unsupported,
                  fmt::format("Model `{}` defines its own architecture in code (auto_map, model_type `{}`), and memfit "
                              "never runs code from a repository (--trust_remote_code only keeps accelerate's flag); "
                              "`memfit inspect {}` estimates it from its checkpoint headers instead. ({})",
                              src.id, model_type, src.id, built.error().message));
  }
  return built;
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
  // Quantization-aware size: the what-if scheme, else the config's own quantization_config (if memfit models it).
  if (!opts.quantization.empty()) {
    auto s = scheme_from_name(opts.quantization);
    if (!s) return std::unexpected(s.error());
    e.quantized = quantized_size(built->model, *s);
    e.quantized_origin = "what-if";
  } else if (auto json = parse_json(src->config_text, src->config_name); json && json->is_object()) {
    if (const Json* q = find_quantization_config(*json))
      if (auto s = scheme_from_config(*q)) {
        e.quantized = quantized_size(built->model, *s);
        e.quantized_origin = "quantization_config";
      }
  }
  return e;
}

}  // namespace memfit
