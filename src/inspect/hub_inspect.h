// `memfit inspect` on a Hub repository: only the headers are fetched (the index and config as small files, then
// each shard's safetensors header, or a GGUF file's header, with HTTP Range requests, shards in parallel).
// Needs the Hub client (source/hub.h); without it inspect_hub answers Unsupported.
#pragma once
#include <string>
#include <string_view>

#include "core/error.h"
#include "inspect/inspect.h"

namespace memfit::inspect {

struct HubInspectOptions {
  std::string revision;  // "" = main
  std::string token;     // "" = HF_TOKEN, then the token file (unless env_token is false)
  bool env_token = true; // false: only `token` (the server: a request's own token, never the server's)
  std::string endpoint;  // "" = $HF_ENDPOINT, else https://huggingface.co
  std::string file;      // one file in the repo (a .gguf, a .safetensors or an index); "" = discover
  double connect_timeout_s = 0, timeout_s = 0;  // 0 = $MEMFIT_CONNECT_TIMEOUT / $MEMFIT_TIMEOUT, else 5 / 10
  int parallel = 8;      // shards read at once
};

// True when this build has the Hub client.
bool hub_inspect_available();
// Inspects repository `model` (org/name, legacy id or Hub URL). Report::fetched_bytes counts the bytes received.
Result<Report> inspect_hub(std::string_view model, const HubInspectOptions& o);

}  // namespace memfit::inspect
