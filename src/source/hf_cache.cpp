// Mirrors huggingface_hub's file_download.py cache layout (repo_folder_name, _create_symlink, refs/ handling) and
// constants.py (HF_HUB_CACHE). Writes are temp file + rename, the atomic step POSIX gives us.
#include "source/hf_cache.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "source/resolve.h"
#include "source/token.h"

namespace memfit {

namespace fs = std::filesystem;

namespace {
constexpr size_t kCachedFileLimit = 64 << 20;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// A path component we are willing to create: no "..", no absolute paths, no empty parts.
bool safe_relative(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.size() > 512) return false;
  for (const auto& part : fs::path(p)) {
    auto s = part.string();
    if (s.empty() || s == "." || s == "..") return false;
  }
  return p.find('\0') == std::string_view::npos && p.find('\\') == std::string_view::npos;
}

std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  return fmt::format(".{}.{}.{:x}.tmp", ::getpid(), counter++, rd());
}

// Writes `data` to a temp file beside `target` and renames it over `target`.
Result<void> write_atomic(const fs::path& target, std::string_view data) {
  fs::path tmp = target;
  tmp += unique_suffix();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(ErrorKind::Internal, fmt::format("cannot write `{}`", tmp.string()));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return fail(ErrorKind::Internal, fmt::format("cannot write `{}`", tmp.string()));
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return fail(ErrorKind::Internal, fmt::format("cannot rename into `{}`: {}", target.string(), ec.message()));
  }
  return {};
}
}  // namespace

std::string hub_cache_dir() {
  if (auto c = env("HF_HUB_CACHE"); !c.empty()) return c;
  if (auto c = env("HUGGINGFACE_HUB_CACHE"); !c.empty()) return c;
  return (fs::path(hf_home()) / "hub").string();
}

std::string repo_folder_name(std::string_view repo_id) {
  std::string out = "models--";
  for (char c : repo_id) {
    if (c == '/') out += "--";
    else out += c;
  }
  return out;
}

bool is_commit_sha(std::string_view r) {
  if (r.size() != 40) return false;
  for (char c : r)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool is_safe_etag(std::string_view e) {
  if (e.empty() || e.size() > 128) return false;
  for (char c : e)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

std::optional<CachedFile> cache_find(const std::string& cache_dir, std::string_view repo_id, std::string_view revision,
                                     std::string_view file) {
  if (cache_dir.empty() || !safe_relative(file) || !safe_relative(revision)) return std::nullopt;
  fs::path repo = fs::path(cache_dir) / repo_folder_name(repo_id);
  std::string commit(revision);
  if (!is_commit_sha(revision)) {
    auto ref = read_file_limited((repo / "refs" / fs::path(revision)).string(), 1024);
    if (!ref) return std::nullopt;
    commit = *ref;
    while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back()))) commit.pop_back();
    if (!is_commit_sha(commit)) return std::nullopt;
  }
  fs::path snap = repo / "snapshots" / commit / fs::path(file);
  std::error_code ec;
  if (!fs::is_regular_file(snap, ec)) return std::nullopt;  // follows the symlink: a dangling link is a miss
  return CachedFile{snap.string(), commit};
}

Result<std::string> cache_store(const std::string& cache_dir, std::string_view repo_id, std::string_view revision,
                                std::string_view commit, std::string_view etag, std::string_view file,
                                std::string_view content) {
  if (!is_commit_sha(commit))
    return fail(ErrorKind::BadInput, fmt::format("not caching `{}`: the Hub gave no commit sha", file));
  if (!is_safe_etag(etag)) return fail(ErrorKind::BadInput, fmt::format("not caching `{}`: unusable ETag", file));
  if (!safe_relative(file) || !safe_relative(revision) || !safe_relative(repo_id))
    return fail(ErrorKind::BadInput, fmt::format("not caching `{}`: unsafe path", file));
  if (content.size() > kCachedFileLimit) return fail(ErrorKind::BadInput, "not caching: file too large");
  fs::path repo = fs::path(cache_dir) / repo_folder_name(repo_id);
  fs::path blob = repo / "blobs" / std::string(etag);
  fs::path snap = repo / "snapshots" / std::string(commit) / fs::path(file);
  std::error_code ec;
  fs::create_directories(blob.parent_path(), ec);
  fs::create_directories(snap.parent_path(), ec);
  if (ec) return fail(ErrorKind::Internal, fmt::format("cannot create `{}`: {}", snap.parent_path().string(), ec.message()));
  // The first time a cache is created, huggingface_hub tags it so backup tools skip it; do the same.
  fs::path tag = fs::path(cache_dir) / "CACHEDIR.TAG";
  if (!fs::exists(tag, ec))
    (void)write_atomic(tag, "Signature: 8a477f597d28d172789f06886806bc55\n"
                            "# This file is a cache directory tag created by huggingface_hub.\n"
                            "# For information about cache directory tags, see:\n"
                            "#\thttps://bford.info/cachedir/\n");
  if (!fs::is_regular_file(blob, ec) || fs::file_size(blob, ec) != content.size())
    if (auto w = write_atomic(blob, content); !w) return std::unexpected(w.error());
  // Relative link, like huggingface_hub: the cache stays valid when the whole folder moves.
  fs::path target = fs::relative(blob, snap.parent_path(), ec);
  if (ec || target.empty()) target = blob;
  fs::path tmp = snap;
  tmp += unique_suffix();
  fs::create_symlink(target, tmp, ec);
  if (ec) {
    // File systems without symlinks: huggingface_hub then copies the file into the snapshot; so do we.
    if (auto w = write_atomic(snap, content); !w) return std::unexpected(w.error());
  } else {
    fs::rename(tmp, snap, ec);
    if (ec) {
      fs::remove(tmp, ec);
      return fail(ErrorKind::Internal, fmt::format("cannot link `{}`", snap.string()));
    }
  }
  if (revision != commit) {
    fs::path ref = repo / "refs" / fs::path(revision);
    fs::create_directories(ref.parent_path(), ec);
    if (auto w = write_atomic(ref, commit); !w) return std::unexpected(w.error());
  }
  return snap.string();
}

}  // namespace memfit
