// memfit publish: posts a model's memory table (with its settings, assumptions, memfit's version and the command
// that reproduces it) as a discussion on the model's Hub repository, unless one with the same title exists.
// Used by `memfit publish` and by the server's POST /api/publish.
#pragma once
#include <string>
#include <string_view>

#include "core/error.h"
#include "memfit.h"

namespace memfit {

// The discussion title the official Space uses; an existing discussion with it is linked instead of posting again.
inline constexpr std::string_view kPublishTitle = "[AUTOMATED] Model Memory Requirements";

struct PublishOptions {
  EstimateOptions estimate;  // what to estimate (library, dtypes, resolution: endpoint, revision, offline)
  std::string token;         // the user's token with write access; "" = only link an existing discussion
};

struct PublishResult {
  std::string repo_id;      // the Hub repository posted to
  std::string url;          // {endpoint}/{id}/discussions/{num}
  int num = 0;              // discussion number
  bool existing = false;    // an earlier discussion with the title was found (nothing posted)
  std::string description;  // the markdown posted (or that would have been)
};

// The markdown body of the discussion: a summary sentence with numbers, the table, settings, assumptions, version
// and the command reproducing it.
std::string publish_description(const Estimate& e, const EstimateOptions& o);
// The `memfit estimate-memory` command line reproducing `e` (arguments shell-quoted where needed).
std::string reproduce_command(const Estimate& e, const EstimateOptions& o);

// Estimates `model`, then GETs the repo's discussions and links one titled kPublishTitle, else POSTs a new one.
// Auth error when a post is needed and no token was given; the token goes only to the Hub endpoint.
Result<PublishResult> publish(std::string_view model, const PublishOptions& o);

}  // namespace memfit
