// The Hugging Face Hub over HTTP (libcurl): model ids, the model-info API and file downloads, with timeouts,
// bounded retries, redirects that never carry the token to another host, and checks that a response is complete
// and is what was asked for. Errors of kind Network mean "the Hub could not be reached or answered garbage" (the
// caller may fall back to the cache); Auth and NotFound are the Hub's definite answers.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

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

struct ModelInfo {
  std::string id;
  std::string sha;           // commit the revision points to
  std::string library_name;  // may be empty
  bool gated = false;
  bool has_auto_map = false; // config.auto_map present in the model info
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
  // Bytes [offset, offset + length) of a file (Range request), e.g. a safetensors header.
  Result<std::string> download_range(const RepoRef& ref, std::string_view file, uint64_t offset, uint64_t length);

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
