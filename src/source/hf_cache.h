// The Hugging Face cache, shared with Python's huggingface_hub: memfit reads what huggingface_hub downloaded and
// writes its own downloads in the same layout, so each tool reuses the other's files:
//   {cache}/models--{org}--{name}/blobs/{etag}            the file's bytes
//   {cache}/models--{org}--{name}/snapshots/{commit}/{file} relative symlink to ../../blobs/{etag}
//   {cache}/models--{org}--{name}/refs/{revision}          the commit the revision pointed to
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace memfit {

// $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE (legacy), else $HF_HOME/hub, else ~/.cache/huggingface/hub.
std::string hub_cache_dir();
// "models--" + id with "/" replaced by "--" (huggingface_hub's repo_folder_name).
std::string repo_folder_name(std::string_view repo_id);
// True for a full 40-hex commit sha.
bool is_commit_sha(std::string_view revision);

struct CachedFile {
  std::string path;    // the snapshot path (a symlink into blobs/, or a plain file on file systems without links)
  std::string commit;  // the snapshot's commit
};

// Finds `file` of `repo_id` at `revision` (a commit, or a branch/tag/refs/pr/N recorded in refs/); nullopt if the
// cache does not hold it. Never touches the network.
std::optional<CachedFile> cache_find(const std::string& cache_dir, std::string_view repo_id, std::string_view revision,
                                     std::string_view file);

// Stores `content` as blobs/{etag}, links snapshots/{commit}/{file} to it and, when `revision` is not the commit
// itself, records refs/{revision} = commit. Every step is a temp file + rename, so concurrent writers (two memfit
// runs, or memfit and huggingface_hub) never leave a partial file behind. Returns the snapshot path.
Result<std::string> cache_store(const std::string& cache_dir, std::string_view repo_id, std::string_view revision,
                                std::string_view commit, std::string_view etag, std::string_view file,
                                std::string_view content);

// True when `etag` (already stripped of W/ and quotes) is safe as a blob file name.
bool is_safe_etag(std::string_view etag);

}  // namespace memfit
