#include "memfit.h"

#include <fmt/format.h>

#include <filesystem>

#include "estimate/from_checkpoint.h"
#include "format/config.h"
#include "inspect/hub_inspect.h"
#include "inspect/inspect.h"

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

namespace {

// The checkpoint's safetensors headers, when they can be had: a local folder, or the Hub (HTTP Range, as inspect).
std::optional<inspect::Report> checkpoint_headers(std::string_view model, const ModelSource& src,
                                                  const EstimateOptions& opts, std::string* where) {
  namespace fs = std::filesystem;
  Result<inspect::Report> r = fail(ErrorKind::NotFound, "");
  std::error_code ec;
  if (src.origin == "local") {
    fs::path p(model);
    if (!fs::is_directory(p, ec)) p = p.parent_path();
    if (p.empty() || !fs::is_directory(p, ec)) return std::nullopt;
    r = inspect::inspect_path(p.string());
    *where = "the local folder's safetensors headers";
  } else if (src.origin == "hub" && !src.repo_id.empty() && inspect::hub_inspect_available()) {
    inspect::HubInspectOptions o;
    o.revision = src.commit.empty() ? opts.resolve.revision : src.commit;
    o.token = opts.resolve.token;
    o.endpoint = opts.resolve.endpoint;
    if (opts.resolve.connect_timeout_s > 0) o.connect_timeout_s = opts.resolve.connect_timeout_s;
    if (opts.resolve.timeout_s > 0) o.timeout_s = opts.resolve.timeout_s;
    r = inspect::inspect_hub(src.repo_id, o);
    *where = "the Hub checkpoint's safetensors headers (HTTP Range requests)";
  }
  if (!r || r->format != "safetensors" || r->tensor_list.empty()) return std::nullopt;
  for (const auto& t : r->tensor_list)
    if (!t.component.empty()) return std::nullopt;  // a multi-component repo (diffusers), not one model
  return std::move(*r);
}

// A transformers model_type no family builds: the checkpoint's headers answer exactly where they can be had.
std::optional<Estimate> estimate_from_checkpoint(std::string_view model, const ModelSource& src,
                                                 const EstimateOptions& opts) {
  if (opts.library == "timm") return std::nullopt;
  auto json = parse_json(src.config_text, src.config_name);
  if (!json || detect_library(*json) != "transformers") return std::nullopt;
  std::string model_type = json->value("model_type", "");
  if (is_supported_model_type(model_type)) return std::nullopt;
  std::string where;
  auto report = checkpoint_headers(model, src, opts, &where);
  if (!report) return std::nullopt;
  CheckpointMeasurement cm = measure_checkpoint(*report, opts.target);
  Estimate e;
  e.model = std::string(model);
  e.library = "transformers";
  e.source = "checkpoint";
  e.architecture = model_type;
  e.m = cm.m;
  e.rows = accelerate_rows(e.m, opts.dtypes);
  e.approximate = !cm.complete;
  e.notes.push_back(fmt::format("model_type `{}` has no memfit builder: parameters and bytes are {} ({} tensors)",
                                model_type, where, report->tensor_list.size()));
  e.notes.insert(e.notes.end(), cm.notes.begin(), cm.notes.end());
  return e;
}

}  // namespace

Result<Estimate> estimate_memory(std::string_view model, const EstimateOptions& opts) {
  auto src = resolve_model(model, opts.resolve);
  if (!src) return std::unexpected(src.error());
  auto built = build_model(*src, opts);
  // Only when neither a builder nor the checkpoint's headers exist does the generic decoder answer.
  if ((built && built->approximate) || (!built && built.error().kind == ErrorKind::Unsupported))
    if (auto ck = estimate_from_checkpoint(model, *src, opts)) return std::move(*ck);
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
