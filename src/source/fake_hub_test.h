// Test-only: a stand-in Hugging Face Hub on 127.0.0.1 (cpp-httplib) serving in-memory repos in the Hub's URL
// layout (api/models/{id}[/revision/{rev}], {id}/resolve/{rev}/{file}) with the Hub's headers and error codes, and
// scripted faults (429, 500, slow, truncated, HTML, redirects). Counts every request; records Authorization headers.
// Discussions: GET/POST api/models/{id}/discussions (a post needs the repo's write token, or any token when unset).
#pragma once
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace memfit::testing {

enum class Fault {
  None,
  RateLimitOnce,    // first request: 429 with Retry-After
  ServerErrorOnce,  // first request: 500
  ServerErrorAlways,// every request: 503
  Slow,             // resolve sleeps `slow_ms` before answering
  CutShort,         // resolve announces the full length, sends half, closes
  Html,             // resolve answers 200 with an HTML page
  Redirect,         // resolve answers 302 to {redirect_base}/_cdn/{id}/{file}
};

struct FakeRepo {
  std::string sha;                                  // commit of main
  std::string library_name;                         // "" = absent
  std::map<std::string, std::string> files;         // file name -> content
  std::string gated_token;                          // non-empty: gated, this token has access
  std::map<std::string, std::string> revisions;     // extra revisions (tags, refs/pr/N) -> commit
  Fault fault = Fault::None;
  std::string retry_after = "1";
  int slow_ms = 1000;
  std::string redirect_base;                        // "" = this server
  int fault_hits = 0;                               // how many times the fault fired
  std::vector<nlohmann::json> discussions;          // {num, title, isPullRequest, description, ...}
  std::string write_token;                          // "" = any non-empty token may post
  bool tree_api = true;                             // false: /api/models/{id}/tree answers 404 (an old mirror)
  size_t tree_page = 0;                             // > 0: the tree API pages with Link: <...>; rel="next"
};

inline std::string fake_etag(const std::string& content) {
  // A stable 64-hex name, like the sha256 the Hub uses for blobs (not cryptographic: tests only).
  uint64_t h1 = 1469598103934665603ull, h2 = 1099511628211ull;
  for (unsigned char c : content) h1 = (h1 ^ c) * 1099511628211ull, h2 = (h2 + c) * 6364136223846793005ull + 1;
  char buf[65];
  std::snprintf(buf, sizeof buf, "%016llx%016llx%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2,
                (unsigned long long)(h1 ^ h2), (unsigned long long)(h1 + h2));
  return buf;
}

inline std::string pct_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

class FakeHub {
 public:
  FakeHub() {
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
      auth_seen_.push_back(req.get_header_value("Authorization"));
      paths_.push_back(req.target);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) { post(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeHub() { stop(); }
  void stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  void add(const std::string& id, FakeRepo r) {
    std::lock_guard<std::mutex> lock(mu_);
    repos_[id] = std::move(r);
  }
  FakeRepo repo(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return repos_[id];
  }
  int requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<std::string> auth_seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return auth_seen_;
  }
  std::vector<std::string> paths() const {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_;
  }

 private:
  static void error(httplib::Response& res, int status, const std::string& code, const std::string& msg) {
    res.status = status;
    res.set_header("X-Error-Code", code);
    res.set_header("X-Error-Message", msg);
    res.set_content(nlohmann::json{{"error", msg}}.dump(), "application/json");
  }

  // Returns false (and fills `res`) when access is refused.
  static bool check_access(const FakeRepo& r, const httplib::Request& req, httplib::Response& res) {
    if (r.gated_token.empty()) return true;
    std::string auth = req.get_header_value("Authorization");
    if (auth.empty()) {
      error(res, 401, "GatedRepo", "Access to model is restricted. You must be authenticated to access it.");
      return false;
    }
    if (auth != "Bearer " + r.gated_token) {
      error(res, 403, "GatedRepo", "Access to model is restricted and you are not in the authorized list.");
      return false;
    }
    return true;
  }

  static std::string commit_of(const FakeRepo& r, const std::string& rev) {
    if (rev == "main" || rev == r.sha) return r.sha;
    auto it = r.revisions.find(rev);
    if (it != r.revisions.end()) return it->second;
    for (const auto& [name, sha] : r.revisions)
      if (sha == rev) return sha;
    return {};
  }

  // Applies a once/always status fault; true when it answered.
  static bool status_fault(FakeRepo& r, httplib::Response& res) {
    if (r.fault == Fault::RateLimitOnce && r.fault_hits == 0) {
      ++r.fault_hits;
      res.status = 429;
      res.set_header("Retry-After", r.retry_after);
      res.set_content("rate limited", "text/plain");
      return true;
    }
    if ((r.fault == Fault::ServerErrorOnce && r.fault_hits == 0) || r.fault == Fault::ServerErrorAlways) {
      ++r.fault_hits;
      res.status = r.fault == Fault::ServerErrorAlways ? 503 : 500;
      res.set_content("internal error", "text/plain");
      return true;
    }
    return false;
  }

  // "/api/models/{id}/discussions" -> id ("" when the path is something else).
  static std::string discussions_repo(const std::string& target) {
    const std::string pre = "/api/models/", post = "/discussions";
    if (!target.starts_with(pre) || !target.ends_with(post) || target.size() <= pre.size() + post.size()) return {};
    return target.substr(pre.size(), target.size() - pre.size() - post.size());
  }

  void post(const httplib::Request& req, httplib::Response& res) {
    std::string target = req.target.substr(0, req.target.find('?'));
    std::lock_guard<std::mutex> lock(mu_);
    std::string id = discussions_repo(target);
    auto it = repos_.find(id);
    if (id.empty() || it == repos_.end()) return error(res, 404, "RepoNotFound", "Repository not found");
    FakeRepo& r = it->second;
    std::string auth = req.get_header_value("Authorization");
    if (auth.size() <= 7 || (!r.write_token.empty() && auth != "Bearer " + r.write_token))
      return error(res, auth.empty() ? 401 : 403, "", "You don't have the rights to create a discussion");
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("title") || !body["title"].is_string())
      return error(res, 400, "", "title is required");
    nlohmann::json d = body;
    d["num"] = static_cast<int>(r.discussions.size()) + 1;
    d["isPullRequest"] = body.value("pullRequest", false);
    d["status"] = "open";
    r.discussions.push_back(d);
    res.set_content(nlohmann::json{{"num", d["num"]}, {"title", d["title"]}, {"isPullRequest", d["isPullRequest"]}}.dump(),
                    "application/json");
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    std::string target = req.target.substr(0, req.target.find('?'));
    std::unique_lock<std::mutex> lock(mu_);
    if (std::string id = discussions_repo(target); !id.empty()) {
      auto it = repos_.find(id);
      if (it == repos_.end()) return error(res, 404, "RepoNotFound", "Repository not found");
      if (!check_access(it->second, req, res)) return;
      nlohmann::json list = nlohmann::json::array();
      size_t page = req.has_param("p") ? std::stoul(req.get_param_value("p")) : 0;
      const auto& all = it->second.discussions;
      for (size_t i = page * 50; i < all.size() && i < page * 50 + 50; ++i)
        list.push_back({{"num", all[i]["num"]}, {"title", all[i]["title"]}, {"isPullRequest", all[i]["isPullRequest"]},
                        {"status", "open"}});
      res.set_content(nlohmann::json{{"discussions", list}, {"count", all.size()}, {"start", page * 50}}.dump(),
                      "application/json");
      return;
    }
    if (target.starts_with("/api/models/")) return model_info(target.substr(12), req, res);
    if (target.starts_with("/_cdn/")) {
      std::string rest = target.substr(6);
      for (auto& [id, r] : repos_)
        if (rest.starts_with(id + "/") && r.files.count(rest.substr(id.size() + 1))) {
          res.set_content(r.files.at(rest.substr(id.size() + 1)), "application/octet-stream");
          return;
        }
      res.status = 404;
      return;
    }
    auto pos = target.find("/resolve/");
    if (pos == std::string::npos || pos == 0) return error(res, 404, "RepoNotFound", "Not found");
    std::string id = target.substr(1, pos - 1);
    std::string rest = target.substr(pos + 9);
    auto slash = rest.find('/');
    if (slash == std::string::npos) return error(res, 404, "EntryNotFound", "no file");
    std::string rev = pct_decode(rest.substr(0, slash));
    std::string file = pct_decode(rest.substr(slash + 1));
    auto it = repos_.find(id);
    if (it == repos_.end()) return error(res, 404, "RepoNotFound", "Repository not found");
    FakeRepo& r = it->second;
    if (!check_access(r, req, res)) return;
    if (status_fault(r, res)) return;
    std::string commit = commit_of(r, rev);
    if (commit.empty()) return error(res, 404, "RevisionNotFound", "Invalid rev id: " + rev);
    res.set_header("X-Repo-Commit", commit);
    auto f = r.files.find(file);
    if (f == r.files.end()) return error(res, 404, "EntryNotFound", file + " does not exist");
    const std::string content = f->second;
    res.set_header("ETag", "\"" + fake_etag(content) + "\"");
    switch (r.fault) {
      case Fault::Slow: {
        int ms = r.slow_ms;
        ++r.fault_hits;
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        res.set_content(content, "text/plain; charset=utf-8");
        return;
      }
      case Fault::CutShort: {
        ++r.fault_hits;
        res.set_content_provider(content.size(), "text/plain; charset=utf-8",
                                 [content](size_t offset, size_t, httplib::DataSink& sink) {
                                   if (offset == 0) sink.write(content.data(), content.size() / 2);
                                   return false;  // drop the connection: the body is cut short
                                 });
        return;
      }
      case Fault::Html:
        ++r.fault_hits;
        res.set_content("<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>", "text/html");
        return;
      case Fault::Redirect: {
        ++r.fault_hits;
        res.status = 302;
        res.set_header("X-Linked-Etag", "\"" + fake_etag(content) + "\"");
        res.set_header("X-Linked-Size", std::to_string(content.size()));
        std::string base = r.redirect_base.empty() ? endpoint() : r.redirect_base;
        res.set_header("Location", base + "/_cdn/" + id + "/" + file);
        return;
      }
      default: break;
    }
    // Range requests: cpp-httplib answers 206 with the slice of whatever content is set.
    res.set_content(content, "text/plain; charset=utf-8");
  }

  // GET /api/models/{id}/tree/{rev}?recursive=true[&cursor=N]: every file with its size, as the Hub lists them.
  void tree(const std::string& id, const std::string& rev, const httplib::Request& req, httplib::Response& res) {
    auto it = repos_.find(id);
    if (it == repos_.end()) return error(res, 404, "RepoNotFound", "Repository not found");
    FakeRepo& r = it->second;
    if (!r.tree_api) return error(res, 404, "", "Not Found");
    if (!check_access(r, req, res)) return;
    if (commit_of(r, rev).empty()) return error(res, 404, "RevisionNotFound", "Invalid rev id: " + rev);
    size_t from = req.has_param("cursor") ? std::stoul(req.get_param_value("cursor")) : 0;
    size_t page = r.tree_page ? r.tree_page : r.files.size() + 1;
    nlohmann::json j = nlohmann::json::array();
    size_t k = 0;
    for (const auto& [name, content] : r.files) {
      if (k >= from && k < from + page)
        j.push_back({{"type", "file"}, {"path", name}, {"size", content.size()}, {"oid", fake_etag(content)}});
      ++k;
    }
    if (from + page < r.files.size())
      res.set_header("Link", "<" + endpoint() + "/api/models/" + id + "/tree/" + rev +
                                 "?recursive=true&cursor=" + std::to_string(from + page) + ">; rel=\"next\"");
    res.set_content(j.dump(), "application/json");
  }

  void model_info(const std::string& rest, const httplib::Request& req, httplib::Response& res) {
    if (auto p = rest.find("/tree/"); p != std::string::npos) {
      std::string rev = pct_decode(rest.substr(p + 6));
      return tree(rest.substr(0, p), rev, req, res);
    }
    std::string id = rest, rev = "main";
    if (auto p = rest.find("/revision/"); p != std::string::npos) {
      id = rest.substr(0, p);
      rev = pct_decode(rest.substr(p + 10));
    }
    auto it = repos_.find(id);
    if (it == repos_.end()) return error(res, 404, "RepoNotFound", "Repository not found");
    FakeRepo& r = it->second;
    if (!check_access(r, req, res)) return;
    if (r.fault != Fault::Slow && r.fault != Fault::CutShort && status_fault(r, res)) return;
    std::string commit = commit_of(r, rev);
    if (commit.empty()) return error(res, 404, "RevisionNotFound", "Invalid rev id: " + rev);
    nlohmann::json j{{"id", id}, {"modelId", id}, {"sha", commit}, {"private", false}};
    j["gated"] = r.gated_token.empty() ? nlohmann::json(false) : nlohmann::json("manual");
    if (!r.library_name.empty()) j["library_name"] = r.library_name;
    nlohmann::json siblings = nlohmann::json::array();
    for (const auto& [name, _] : r.files) siblings.push_back({{"rfilename", name}});
    j["siblings"] = siblings;
    if (auto c = r.files.find("config.json"); c != r.files.end()) {
      auto cfg = nlohmann::json::parse(c->second, nullptr, false);
      if (cfg.is_object()) {
        nlohmann::json small;
        for (const char* k : {"architectures", "model_type", "auto_map"})
          if (cfg.contains(k)) small[k] = cfg[k];
        j["config"] = small;
      }
    }
    res.set_content(j.dump(), "application/json");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, FakeRepo> repos_;
  int requests_ = 0;
  std::vector<std::string> auth_seen_;
  std::vector<std::string> paths_;
};

// Sets (or unsets, with nullptr) environment variables for a scope and restores them after.
class EnvGuard {
 public:
  EnvGuard() {
    // Never let the developer's own Hub settings leak into a test.
    for (const char* k : {"HF_TOKEN", "HF_TOKEN_PATH", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
                          "HF_HUB_OFFLINE", "HF_ENDPOINT", "XDG_CACHE_HOME", "MEMFIT_TIMEOUT",
                          "MEMFIT_CONNECT_TIMEOUT", "MEMFIT_RETRIES"})
      set(k, nullptr);
  }
  ~EnvGuard() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second.first) ::setenv(it->first.c_str(), it->second.second.c_str(), 1);
      else ::unsetenv(it->first.c_str());
    }
  }
  void set(const char* name, const char* value) {
    const char* old = std::getenv(name);
    saved_.push_back({name, {old != nullptr, old ? old : ""}});
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }

 private:
  std::vector<std::pair<std::string, std::pair<bool, std::string>>> saved_;
};

// A fresh temporary directory, removed at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("memfit_test_" + std::to_string(::getpid()) + "_" +
                                                      std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace memfit::testing
