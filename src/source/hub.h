// The Hugging Face Hub over HTTP (libcurl): model ids, the model-info API and file downloads, with timeouts,
// bounded retries, redirects that never carry the token to another host, and checks that a response is complete
// and is what was asked for. Errors of kind Network mean "the Hub could not be reached or answered garbage" (the
// caller may fall back to the cache); Auth and NotFound are the Hub's definite answers.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace memfit {

// A model repository and revision as the user named them.
struct RepoRef {
  std::string id;        // "org/name" or a legacy id ("gpt2")
  std::string revision;  // branch, tag, commit sha or refs/pr/N; "main" when not given
};

// Parses `org/name`, a legacy id, or a Hub URL (https://huggingface.co/org/name[/tree/<rev>], hf.co, or the
// endpoint's host). `revision` (the --revision flag) wins over none; a URL revision that contradicts it is an error.
Result<RepoRef> parse_repo_ref(std::string_view model, std::string_view revision = {},
                               std::string_view endpoint = {});
// True when `id` is a valid Hub repo id (huggingface_hub's validate_repo_id rules).
bool is_valid_repo_id(std::string_view id);
// A Usage error naming `rev` unless it is a plausible revision (no control characters, `..`, leading or trailing
// `/`, at most 256 bytes).
Result<void> check_revision(std::string_view rev);
// True when `path` is a plain relative file path inside a repository: no leading `/`, no empty, `.` or `..`
// segment, no backslash or control character, at most 1024 bytes. Shard names from an index, `--file` and component
// folders must pass before they become a URL (libcurl would resolve dot segments to other Hub paths).
bool is_safe_repo_path(std::string_view path);
// Percent-encodes every byte except unreserved characters and those in `safe` (Python's urllib.parse.quote).
std::string url_quote(std::string_view s, std::string_view safe = "");
// $HF_ENDPOINT without a trailing slash, else https://huggingface.co.
std::string hub_endpoint();

struct HubOptions {
  std::string endpoint;            // "" = hub_endpoint()
  std::string token;               // sent as Authorization: Bearer to the endpoint's host only; may be empty
  std::string token_source;        // "--token", "HF_TOKEN" or a file path: for messages (never the token)
  double connect_timeout_s = 5;    // per connection attempt
  double timeout_s = 10;           // per request (whole transfer)
  int max_retries = 3;             // extra attempts for 429, 5xx and dropped connections
  double max_backoff_s = 8;        // cap on one wait between attempts (Retry-After included)
  bool progress = false;           // progress line on stderr for transfers longer than 0.5 s
};

// Reads the Hub settings from the flags (0 / -1 = not given) and the environment: MEMFIT_TIMEOUT and
// MEMFIT_CONNECT_TIMEOUT (seconds, 0.001 to 86400; defaults 10 and 5), MEMFIT_RETRIES (0 to 10; default 3). A value
// out of range or not a number is a Usage error naming the flag or variable: a timeout must always end a stalled
// transfer, and libcurl reads 0 as "never".
Result<void> apply_hub_settings(HubOptions& o, double timeout_flag, double connect_timeout_flag, int retries_flag = -1);

struct ModelInfo {
  std::string id;
  std::string sha;           // commit the revision points to
  std::string library_name;  // may be empty
  bool gated = false;
  bool has_auto_map = false; // config.auto_map present in the model info
};

// One file of a repository as the tree API lists it.
struct RepoFile {
  std::string path;   // relative to the repository root
  uint64_t size = 0;  // bytes (the LFS object's size for LFS files)
};

struct HubFile {
  std::string content;
  std::string etag;    // normalised (no W/, no quotes): the blob name in the HF cache
  std::string commit;  // X-Repo-Commit
};

class HubClient {
 public:
  explicit HubClient(HubOptions opts);
  ~HubClient();
  HubClient(const HubClient&) = delete;
  HubClient& operator=(const HubClient&) = delete;

  // GET {endpoint}/api/models/{id}[/revision/{rev}].
  Result<ModelInfo> model_info(const RepoRef& ref);
  // GET {endpoint}/{id}/resolve/{rev}/{file}; the whole file, at most `max_bytes`.
  Result<HubFile> download(const RepoRef& ref, std::string_view file, size_t max_bytes = 16 << 20);
  // Bytes [offset, offset + length) of a file (Range request), e.g. a safetensors header. Shorter only at the end of
  // the file (the server's Content-Range says so); empty past the end.
  Result<std::string> download_range(const RepoRef& ref, std::string_view file, uint64_t offset, uint64_t length);
  // Every file of the repository at the revision: GET {endpoint}/api/models/{id}/tree/{rev}?recursive=true, following
  // the `Link: <...>; rel="next"` pages; BadInput beyond `max_files`.
  Result<std::vector<RepoFile>> list_files(const RepoRef& ref, size_t max_files = 100000);

  // GET {endpoint}/api/models/{id}/discussions?p={page}: the Hub's JSON ({"discussions": [{num, title, ...}], ...}).
  Result<nlohmann::json> list_discussions(const RepoRef& ref, int page = 0);
  // POST {endpoint}/api/models/{id}/discussions with {"title", "description", "pullRequest": false}; never retried.
  // Needs a token with write access (Auth error otherwise). Returns the Hub's JSON for the new discussion ({num, ...}).
  Result<nlohmann::json> create_discussion(const RepoRef& ref, std::string_view title, std::string_view description);

  const HubOptions& options() const { return opts_; }
  // Requests sent so far (every attempt and every redirect hop counts).
  int requests() const;

  struct Impl;

 private:
  HubOptions opts_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace memfit
