#include "source/resolve.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "source/catalog.h"
#include "source/hf_cache.h"
#include "source/hub.h"
#include "source/token.h"

namespace memfit {

namespace fs = std::filesystem;

Result<std::string> read_file_limited(const std::string& path, size_t limit) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return fail(ErrorKind::NotFound, fmt::format("cannot read `{}`: {}", path, ec.message()));
  if (size > limit)
    return fail(ErrorKind::BadInput, fmt::format("`{}` is {} bytes, more than the {} bytes allowed", path, size, limit));
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::NotFound, fmt::format("cannot open `{}`", path));
  std::string data(size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size) return fail(ErrorKind::BadInput, fmt::format("short read on `{}`", path));
  return data;
}

namespace {
constexpr size_t kConfigLimit = 16 << 20;

Result<ModelSource> from_local(std::string_view model) {
  fs::path p(model);
  std::error_code ec;
  if (fs::is_directory(p, ec)) p /= "config.json";
  auto text = read_file_limited(p.string(), kConfigLimit);
  if (!text) return std::unexpected(text.error());
  return ModelSource{std::string(model), "local", std::move(*text), p.string(), "", "", "", ""};
}
}  // namespace

bool env_offline() {
  const char* v = std::getenv("HF_HUB_OFFLINE");
  if (!v) return false;
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "1" || s == "true" || s == "yes" || s == "on";
}

namespace {

double env_number(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  double d = std::strtod(v, &end);
  return (end && *end == '\0' && d > 0 && d < 86400) ? d : fallback;
}

std::optional<ModelSource> from_catalog(std::string_view model) {
  const CatalogEntry* e = find_in_catalog(model);
  if (!e) return std::nullopt;
  return ModelSource{std::string(model), "catalog", std::string(e->config), std::string(e->id) + "/config.json",
                     std::string(e->library), "", "", ""};
}

std::optional<ModelSource> from_cache(std::string_view model, const RepoRef& ref, const std::string& cache_dir) {
  auto hit = cache_find(cache_dir, ref.id, ref.revision, "config.json");
  if (!hit) return std::nullopt;
  auto text = read_file_limited(hit->path, kConfigLimit);
  if (!text) return std::nullopt;
  return ModelSource{std::string(model), "cache", std::move(*text), hit->path, "", ref.id, ref.revision, hit->commit};
}

Result<ModelSource> from_hub(std::string_view model, const RepoRef& ref, const std::string& cache_dir,
                             HubClient& hub) {
  auto info = hub.model_info(ref);
  if (!info) return std::unexpected(info.error());
  ModelSource src{std::string(model), "hub", "", ref.id + "/config.json", info->library_name, ref.id, ref.revision,
                  info->sha};
  // The Hub says which commit the revision is at: when the cache holds that snapshot, nothing to download.
  if (is_commit_sha(info->sha)) {
    if (auto hit = cache_find(cache_dir, ref.id, info->sha, "config.json")) {
      if (auto text = read_file_limited(hit->path, kConfigLimit)) {
        src.config_text = std::move(*text);
        return src;
      }
    }
  }
  RepoRef at = ref;
  if (is_commit_sha(info->sha)) at.revision = info->sha;  // the file of the very commit the info described
  auto file = hub.download(at, "config.json", kConfigLimit);
  if (!file) return std::unexpected(file.error());
  if (file->commit.empty()) file->commit = info->sha;
  src.commit = file->commit;
  src.config_text = std::move(file->content);
  (void)cache_store(cache_dir, ref.id, ref.revision, file->commit, file->etag, "config.json", src.config_text);
  return src;
}

void say(const ResolveOptions& opts, const std::string& line) {
  if (opts.note) opts.note(line);
}

}  // namespace

Result<ModelSource> resolve_model(std::string_view model, const ResolveOptions& opts) {
  if (model.empty()) return fail(ErrorKind::Usage, "no model given");
  std::error_code ec;
  if (opts.allow_local && fs::exists(fs::path(model), ec)) return from_local(model);
  if (!opts.use_hub) {
    if (auto c = from_catalog(model)) return *c;
    return fail(ErrorKind::NotFound,
                fmt::format("model `{}` is not a local path and not in the bundled catalog; closest catalog ids: {}",
                            model, fmt::join(closest_ids(model), ", ")));
  }
  std::string endpoint = opts.endpoint.empty() ? hub_endpoint() : opts.endpoint;
  auto ref = parse_repo_ref(model, opts.revision, endpoint);
  if (!ref) {
    if (auto c = from_catalog(model)) return *c;
    if (model.find("://") != std::string_view::npos) return std::unexpected(ref.error());
    return fail(ErrorKind::NotFound, fmt::format("model `{}` is not a local path, not a valid Hub id (org/name) and not "
                                                 "in the bundled catalog; closest catalog ids: {}",
                                                 model, fmt::join(closest_ids(model), ", ")));
  }
  std::string cache_dir = opts.cache_dir.empty() ? hub_cache_dir() : opts.cache_dir;
  // A catalog entry is the revision `main` of its repo; a pinned revision must come from the Hub or the cache.
  bool catalog_ok = ref->revision == "main";
  if (opts.offline || env_offline()) {
    if (auto c = from_cache(model, *ref, cache_dir)) return *c;
    if (catalog_ok)
      if (auto c = from_catalog(ref->id)) return *c;
    return fail(ErrorKind::NotFound,
                fmt::format("model `{}` (revision `{}`) is neither in the HF cache ({}) nor in the bundled catalog, and "
                            "offline mode (--offline or HF_HUB_OFFLINE) does not reach the Hub; closest catalog ids: {}",
                            ref->id, ref->revision, cache_dir, fmt::join(closest_ids(ref->id), ", ")));
  }
  HubOptions ho;
  ho.endpoint = endpoint;
  Token tok = opts.env_token ? find_token(opts.token) : Token{opts.token, "the request's token"};
  ho.token = std::move(tok.value);
  ho.token_source = std::move(tok.source);
  ho.connect_timeout_s = opts.connect_timeout_s > 0 ? opts.connect_timeout_s : env_number("MEMFIT_CONNECT_TIMEOUT", 5);
  ho.timeout_s = opts.timeout_s > 0 ? opts.timeout_s : env_number("MEMFIT_TIMEOUT", 10);
  ho.max_retries = opts.max_retries >= 0 ? opts.max_retries : static_cast<int>(env_number("MEMFIT_RETRIES", 3));
  ho.progress = opts.progress;
  HubClient hub(std::move(ho));
  auto got = from_hub(model, *ref, cache_dir, hub);
  if (got || got.error().kind != ErrorKind::Network) return got;
  const std::string why = got.error().message;
  if (auto c = from_cache(model, *ref, cache_dir)) {
    say(opts, fmt::format("memfit: the Hub at {} could not be reached ({}); using the HF cache ({})", endpoint, why,
                          c->config_name));
    return *c;
  }
  if (catalog_ok)
    if (auto c = from_catalog(ref->id)) {
      say(opts, fmt::format("memfit: the Hub at {} could not be reached ({}); using the bundled catalog", endpoint, why));
      return *c;
    }
  std::string catalog_note =
      !catalog_ok && find_in_catalog(ref->id)
          ? fmt::format("the bundled catalog holds only revision `main`, not `{}`", ref->revision)
          : fmt::format("closest catalog ids: {}", fmt::join(closest_ids(ref->id), ", "));
  return fail(ErrorKind::Network,
              fmt::format("could not reach the Hub at {} for model `{}`: {}. Neither the HF cache nor the bundled "
                          "catalog has it ({}); --offline (or HF_HUB_OFFLINE=1) uses only the cache and the catalog",
                          endpoint, ref->id, why, catalog_note));
}

}  // namespace memfit
