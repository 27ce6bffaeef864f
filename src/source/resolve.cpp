#include "source/resolve.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <cctype>
#include <cstdlib>
#include <optional>

#include "format/escape.h"
#include "format/file_io.h"
#include "source/catalog.h"
#include "source/hf_cache.h"
#include "source/hub.h"
#include "source/token.h"

namespace memfit {

namespace fs = std::filesystem;

Result<std::string> read_file_limited(const std::string& path, size_t limit) { return read_small_file(path, limit); }

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
  // Longer than any path: neither a file nor an id (checked before any search, whose cost grows with the length).
  if (model.size() > 4096)
    return fail(ErrorKind::Usage, fmt::format("the model argument is {} bytes long: a Hub id has at most 96 characters "
                                              "and a path at most 4096",
                                              model.size()));
  std::error_code ec;
  if (opts.allow_local && fs::exists(fs::path(model), ec)) return from_local(model);
  if (!opts.revision.empty())
    if (auto ok = check_revision(opts.revision); !ok) return std::unexpected(ok.error());
  const std::string shown = terminal_safe(model, 200);
  if (!opts.use_hub) {
    if (auto c = from_catalog(model)) return *c;
    return fail(ErrorKind::NotFound,
                fmt::format("model `{}` is not a local path and not in the bundled catalog; closest catalog ids: {}",
                            shown, fmt::join(closest_ids(model), ", ")));
  }
  std::string endpoint = opts.endpoint.empty() ? hub_endpoint() : opts.endpoint;
  auto ref = parse_repo_ref(model, opts.revision, endpoint);
  if (!ref) {
    if (auto c = from_catalog(model)) return *c;
    if (model.find("://") != std::string_view::npos) return std::unexpected(ref.error());
    return fail(ErrorKind::NotFound, fmt::format("model `{}` is not a local path, not a valid Hub id (org/name) and not "
                                                 "in the bundled catalog; closest catalog ids: {}",
                                                 shown, fmt::join(closest_ids(model), ", ")));
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
  if (auto ok = apply_hub_settings(ho, opts.timeout_s, opts.connect_timeout_s, opts.max_retries); !ok)
    return std::unexpected(ok.error());
  if (!ho.token.empty())
    if (auto ok = check_token(ho.token, ho.token_source); !ok) return std::unexpected(ok.error());
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
