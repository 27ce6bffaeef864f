// Where a model's config comes from. This is the one place that knows the resolution order:
//   1. an existing local folder or config.json;
//   2. unless offline (--offline or HF_HUB_OFFLINE=1), the Hub at $HF_ENDPOINT (downloads land in the HF cache);
//   3. when the Hub cannot be reached (or offline): the user's HF cache, then the bundled catalog.
// The Hub's definite answers (gated, not found, missing config.json) are errors, not reasons to fall back.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace memfit {

struct ModelSource {
  std::string id;           // the model as the user named it
  std::string origin;       // "local" | "hub" | "cache" | "catalog"
  std::string config_text;  // config.json
  std::string config_name;  // file name for error messages
  std::string library_hint; // library the source knows of (catalog entry, Hub library_name), may be empty
  std::string repo_id;      // Hub repo id when resolved through the Hub or the HF cache
  std::string revision;     // requested revision (Hub / cache)
  std::string commit;       // commit the config came from (Hub / cache), may be empty
};

struct ResolveOptions {
  bool use_hub = false;          // consult the Hub and the HF cache; false (library default) = local path, then catalog
  bool offline = false;          // --offline; HF_HUB_OFFLINE=1 counts too: HF cache, then catalog, no request at all
  std::string revision;          // --revision: branch, tag, commit sha or refs/pr/N ("" = main, or the URL's)
  std::string token;             // --token ("" = HF_TOKEN, then the token file)
  std::string endpoint;          // "" = $HF_ENDPOINT, else https://huggingface.co
  std::string cache_dir;         // "" = $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub
  double connect_timeout_s = 0;  // 0 = $MEMFIT_CONNECT_TIMEOUT, else 5
  double timeout_s = 0;          // 0 = $MEMFIT_TIMEOUT, else 10
  int max_retries = -1;          // -1 = $MEMFIT_RETRIES, else 3
  bool progress = false;         // progress line on stderr for slow transfers (the CLI sets it when stderr is a TTY)
  bool allow_local = true;       // false: never read a local path named by `model` (the server)
  bool env_token = true;         // false: use only `token`, never $HF_TOKEN or the token file (the server)
  std::function<void(const std::string&)> note;  // one-line notices, e.g. which source was used after a fallback
};

Result<ModelSource> resolve_model(std::string_view model, const ResolveOptions& opts = {});

// True when $HF_HUB_OFFLINE says offline ("1", "true", "yes", "on", any case).
bool env_offline();

// Reads a whole file of at most `limit` bytes (bad input must not allocate without bound).
Result<std::string> read_file_limited(const std::string& path, size_t limit);

}  // namespace memfit
