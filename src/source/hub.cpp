// Mirrors huggingface_hub's hf_api.model_info, file_download.hf_hub_url / hf_hub_download and utils/_http.py
// (http_backoff, hf_raise_for_status's X-Error-Code handling), and accelerate's commands/estimate.py messages.
#include "source/hub.h"

#include "format/escape.h"
#include "source/curl_api.h"
#include "source/token.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace memfit {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// scheme://host[:port] of a URL, lower-cased: redirects to another origin lose the Authorization header.
std::string origin_of(std::string_view url) {
  auto p = url.find("://");
  if (p == std::string_view::npos) return {};
  auto end = url.find_first_of("/?#", p + 3);
  return lower(std::string(url.substr(0, end)));
}

std::string host_of(std::string_view url) {
  std::string o = origin_of(url);
  auto p = o.find("://");
  if (p == std::string::npos) return {};
  std::string h = o.substr(p + 3);
  if (auto at = h.rfind('@'); at != std::string::npos) h = h.substr(at + 1);
  if (auto colon = h.rfind(':'); colon != std::string::npos && h.find(']') == std::string::npos) h = h.substr(0, colon);
  return h;
}

std::string normalise_etag(std::string e) {
  if (e.starts_with("W/")) e = e.substr(2);
  if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
  return e;
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "kB", "MB", "GB"};
  int u = 0;
  while (b >= 1000 && u < 3) b /= 1000, ++u;
  return u == 0 ? fmt::format("{:.0f} B", b) : fmt::format("{:.1f} {}", b, units[u]);
}

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names, last value wins
  std::string body;
  std::string url;  // final URL
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Request {
  std::string url;
  std::string range;        // "bytes=a-b" or empty
  size_t max_bytes = 16 << 20;
  std::string label;        // for the progress line and messages, e.g. "config.json"
  const std::string* json_body = nullptr;  // set: a POST of this JSON, never retried nor redirected
};

struct Transfer {
  Response* resp = nullptr;
  size_t max_bytes = 0;
  long status = 0;  // from the status line: an error answer's body is not held to the size asked for
  bool too_large = false;
  bool progress = false;
  bool printed = false;
  curl_off_t shown = -1;  // bytes on the progress line, redrawn only when it changes
  std::string label;
  std::chrono::steady_clock::time_point start;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->status >= 300) {
    // An error page (a 404 for a Range request, a proxy's page): keep its start for the message, drop the rest.
    constexpr size_t kErrorBody = 64 << 10;
    if (t->resp->body.size() < kErrorBody) t->resp->body.append(data, std::min(len, kErrorBody - t->resp->body.size()));
    return len;
  }
  if (t->resp->body.size() + len > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->resp->body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    t->resp->headers.clear();
    auto sp = line.find(' ');
    t->status = sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name = lower(std::string(line.substr(0, colon)));
    std::string value(line.substr(colon + 1));
    auto b = value.find_first_not_of(" \t");
    auto e = value.find_last_not_of(" \t\r\n");
    // An empty value (only spaces and the line end) is "", not the line end.
    t->resp->headers[name] = b == std::string::npos || e == std::string::npos || e < b ? std::string()
                                                                                       : value.substr(b, e - b + 1);
  }
  return size * n;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->progress) return 0;
  auto elapsed = std::chrono::steady_clock::now() - t->start;
  if (elapsed < std::chrono::milliseconds(500) || dlnow == t->shown) return 0;
  t->shown = dlnow;
  std::string total = dltotal > 0 ? " / " + human_bytes(static_cast<double>(dltotal)) : std::string();
  std::fprintf(stderr, "\rDownloading %s: %s%s\x1b[K", t->label.c_str(), human_bytes(static_cast<double>(dlnow)).c_str(),
               total.c_str());
  t->printed = true;
  return 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Model ids

std::string url_quote(std::string_view s, std::string_view safe) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || safe.find(static_cast<char>(c)) != std::string_view::npos)
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string hub_endpoint() {
  const char* e = std::getenv("HF_ENDPOINT");
  std::string s = e && *e ? e : "https://huggingface.co";
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool is_valid_repo_id(std::string_view id) {
  if (id.empty() || id.size() > 96) return false;
  if (id.find("--") != std::string_view::npos || id.find("..") != std::string_view::npos || id.ends_with(".git"))
    return false;
  auto parts = split(id, '/');
  if (parts.size() > 2) return false;
  for (const auto& p : parts) {
    if (p.empty() || !is_word(p.front()) || !is_word(p.back())) return false;
    for (char c : p)
      if (!is_word(c) && c != '-' && c != '.') return false;
  }
  return true;
}

Result<RepoRef> parse_repo_ref(std::string_view model, std::string_view revision, std::string_view endpoint) {
  std::string s(model);
  std::string url_rev;
  std::string lowered = lower(s);
  bool is_url = lowered.starts_with("http://") || lowered.starts_with("https://") || lowered.starts_with("hf.co/") ||
                lowered.starts_with("huggingface.co/");
  if (is_url) {
    std::string rest = s;
    if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
    auto slash = rest.find('/');
    std::string host = lower(rest.substr(0, slash));
    rest = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    std::string ep_host = host_of(endpoint.empty() ? hub_endpoint() : std::string(endpoint));
    if (auto colon = host.rfind(':'); colon != std::string::npos) host = host.substr(0, colon);
    if (host != "huggingface.co" && host != "www.huggingface.co" && host != "hf.co" && host != ep_host)
      return fail(ErrorKind::Usage, fmt::format("`{}` is not a Hugging Face Hub URL", model));
    rest = rest.substr(0, rest.find_first_of("?#"));
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    auto segs = split(rest, '/');
    if (!segs.empty() && (segs[0] == "datasets" || segs[0] == "spaces"))
      return fail(ErrorKind::Usage, fmt::format("`{}` is a {} URL; memfit estimates models", model, segs[0]));
    if (segs.empty() || segs[0].empty()) return fail(ErrorKind::Usage, fmt::format("`{}` names no model", model));
    auto is_view = [](const std::string& x) { return x == "tree" || x == "blob" || x == "resolve"; };
    size_t next;
    if (segs.size() >= 2 && !is_view(segs[1])) {
      s = segs[0] + "/" + segs[1];
      next = 2;
    } else {
      s = segs[0];
      next = 1;
    }
    if (next < segs.size()) {
      if (!is_view(segs[next]) || next + 1 >= segs.size())
        return fail(ErrorKind::Usage, fmt::format("`{}`: expected /tree/<revision> after the model id", model));
      url_rev = url_decode(segs[next + 1]);
    }
  }
  if (!is_valid_repo_id(s))
    return fail(ErrorKind::Usage, fmt::format("`{}` is not a valid Hub model id (org/name)", model));
  std::string rev(revision);
  if (!rev.empty() && !url_rev.empty() && rev != url_rev)
    return fail(ErrorKind::Usage, fmt::format("--revision `{}` contradicts the URL's revision `{}`", rev, url_rev));
  if (rev.empty()) rev = url_rev.empty() ? "main" : url_rev;
  if (auto ok = check_revision(rev); !ok) return std::unexpected(ok.error());
  return RepoRef{s, rev};
}

Result<void> check_revision(std::string_view rev) {
  if (rev.empty() || rev.size() > 256 || rev.find("..") != std::string_view::npos || rev.front() == '/' ||
      rev.back() == '/' ||
      std::any_of(rev.begin(), rev.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f || c == '\\'; }))
    return fail(ErrorKind::Usage, fmt::format("--revision: `{}` is not a valid revision (a branch, tag, commit sha "
                                              "or refs/pr/N)",
                                              terminal_safe(rev, 80)));
  return {};
}

bool is_safe_repo_path(std::string_view path) {
  if (path.empty() || path.size() > 1024 || path.front() == '/') return false;
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  for (const auto& seg : split(path, '/'))
    if (seg.empty() || seg == "." || seg == "..") return false;
  return true;
}

namespace {
Result<double> seconds_from(double flag, std::string_view flag_name, const char* env, double def) {
  constexpr double lo = 0.001, hi = 86400;
  auto bad = [&](std::string what) {
    return fail(ErrorKind::Usage, fmt::format("{}: expected seconds from {} to {}", what, lo, hi));
  };
  if (flag != 0) {
    if (!(flag >= lo && flag <= hi)) return bad(fmt::format("{} {}", flag_name, flag));
    return flag;
  }
  const char* v = std::getenv(env);
  if (!v || !*v) return def;
  char* end = nullptr;
  double d = std::strtod(v, &end);
  if (!end || *end != '\0' || !(d >= lo && d <= hi)) return bad(fmt::format("{}=`{}`", env, terminal_safe(v, 40)));
  return d;
}
}  // namespace

Result<void> apply_hub_settings(HubOptions& o, double timeout_flag, double connect_timeout_flag, int retries_flag) {
  auto t = seconds_from(timeout_flag, "--timeout", "MEMFIT_TIMEOUT", 10);
  if (!t) return std::unexpected(t.error());
  auto c = seconds_from(connect_timeout_flag, "--connect-timeout", "MEMFIT_CONNECT_TIMEOUT", 5);
  if (!c) return std::unexpected(c.error());
  o.timeout_s = *t;
  o.connect_timeout_s = *c;
  if (retries_flag >= 0) {
    o.max_retries = std::min(retries_flag, 10);
  } else if (const char* v = std::getenv("MEMFIT_RETRIES"); v && *v) {
    char* end = nullptr;
    long n = std::strtol(v, &end, 10);
    if (!end || *end != '\0' || n < 0 || n > 10)
      return fail(ErrorKind::Usage, fmt::format("MEMFIT_RETRIES=`{}`: expected 0 to 10 extra attempts",
                                                terminal_safe(v, 40)));
    o.max_retries = static_cast<int>(n);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

struct HubClient::Impl {
  CURL* curl = nullptr;
  int requests = 0;
  std::string endpoint;
};

HubClient::HubClient(HubOptions opts) : opts_(std::move(opts)), impl_(std::make_unique<Impl>()) {
  if (opts_.endpoint.empty()) opts_.endpoint = hub_endpoint();
  while (opts_.endpoint.size() > 1 && opts_.endpoint.back() == '/') opts_.endpoint.pop_back();
  impl_->endpoint = opts_.endpoint;
}

HubClient::~HubClient() {
  if (impl_->curl) (*curl_api())->easy_cleanup(impl_->curl);
}

int HubClient::requests() const { return impl_->requests; }

namespace {

// What went wrong at the transport level, in words, and whether trying again may help.
struct TransportError {
  std::string what;
  bool retry = false;
};

TransportError describe(const CurlApi& curl, CURLcode rc, const std::string& url, const HubOptions& o) {
  std::string host = host_of(url);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: return {fmt::format("DNS lookup of `{}` failed", host)};
    case CURLE_COULDNT_RESOLVE_PROXY: return {"DNS lookup of the proxy failed"};
    case CURLE_COULDNT_CONNECT: return {fmt::format("could not connect to `{}`", origin_of(url))};
    case CURLE_OPERATION_TIMEDOUT:
      return {fmt::format("timed out (connect timeout {} s, total timeout {} s)", o.connect_timeout_s, o.timeout_s)};
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return {fmt::format("TLS with `{}` failed: {}", host, curl.easy_strerror(rc))};
    case CURLE_PARTIAL_FILE: return {"the response was cut short (truncated body)", true};
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING: return {fmt::format("the connection dropped ({})", curl.easy_strerror(rc)), true};
    default: return {curl.easy_strerror(rc)};
  }
}

// libcurl's millisecond timeouts, never 0 (which libcurl reads as "no timeout") and never past a long.
long timeout_ms(double s) {
  if (!(s > 0)) return 1;
  return static_cast<long>(std::clamp(std::ceil(s * 1000), 1.0, 86'400'000.0));
}

double retry_after_s(const Response& r) {
  std::string v = r.header("retry-after");
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }) || v.size() > 6)
    return -1;
  return std::stod(v);
}

void sleep_s(double s) {
  if (s > 0) std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(s * 1000)));
}

}  // namespace

// One request with redirects and retries. Returns the final response (any status but 3xx/429/5xx-after-retries),
// or a Network error saying what failed.
static Result<Response> perform(HubClient::Impl& impl, const HubOptions& o, const Request& req) {
  if (!o.token.empty())
    if (auto bad = check_token(o.token, o.token_source); !bad) return std::unexpected(bad.error());
  auto api = curl_api();
  if (!api) return std::unexpected(api.error());
  const CurlApi& curl = **api;
  if (!impl.curl) impl.curl = curl.easy_init();
  CURL* h = impl.curl;
  if (!h) return fail(ErrorKind::Internal, "libcurl could not be initialised");
  std::string url = req.url;
  const std::string home = origin_of(o.endpoint);
  int attempt = 0;
  std::map<std::string, std::string> hub_headers;  // commit / ETag / size as the Hub itself said them
  for (int hop = 0; hop <= 10;) {
    Response resp;
    Transfer t;
    t.resp = &resp;
    t.max_bytes = req.max_bytes;
    t.progress = o.progress;
    t.label = req.label;
    t.start = std::chrono::steady_clock::now();
    curl.easy_reset(h);
    curl.easy_setopt(h, CURLOPT_URL, url.c_str());
    if (req.json_body) {
      curl.easy_setopt(h, CURLOPT_POSTFIELDS, req.json_body->c_str());
      curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.json_body->size()));
    } else {
      curl.easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // followed here, to control where the token goes
    curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms(o.connect_timeout_s));
    curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms(o.timeout_s));
    curl.easy_setopt(h, CURLOPT_USERAGENT, "memfit/0.1.0; hf_hub/compatible");
    curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl.easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl.easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    struct curl_slist* headers = nullptr;
    std::string auth;
    if (!o.token.empty() && origin_of(url) == home) {
      auth = "Authorization: Bearer " + o.token;
      headers = curl.slist_append(headers, auth.c_str());
    }
    std::string range = req.range.empty() ? std::string() : "Range: " + req.range;
    if (!range.empty()) headers = curl.slist_append(headers, range.c_str());
    if (req.json_body) headers = curl.slist_append(headers, "Content-Type: application/json");
    if (headers) curl.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    ++impl.requests;
    CURLcode rc = curl.easy_perform(h);
    curl.slist_free_all(headers);
    std::fill(auth.begin(), auth.end(), '\0');
    if (t.printed) std::fprintf(stderr, "\r\x1b[K");
    curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    resp.url = url;
    if (rc == CURLE_OK && origin_of(url) == home)
      for (const char* k : {"x-repo-commit", "x-linked-etag", "x-linked-size", "etag"})
        if (auto v = resp.header(k); !v.empty()) hub_headers.emplace(k, v);

    bool retry = false;
    std::string what;
    double wait = -1;
    if (rc == CURLE_WRITE_ERROR && t.too_large) {
      return fail(ErrorKind::Network, fmt::format("the response for `{}` is larger than the {} bytes allowed; it is "
                                                  "not what was asked for",
                                                  req.label, req.max_bytes));
    } else if (rc != CURLE_OK) {
      auto te = describe(curl, rc, url, o);
      what = te.what;
      retry = te.retry;
    } else if (req.json_body && (resp.status >= 300 && resp.status < 400)) {
      return fail(ErrorKind::Network, fmt::format("the Hub answered a POST with a redirect (HTTP {})", resp.status));
    } else if (resp.status >= 300 && resp.status < 400 && resp.status != 304) {
      char* loc = nullptr;
      curl.easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
      if (!loc) return fail(ErrorKind::Network, fmt::format("HTTP {} redirect without a Location", resp.status));
      url = loc;
      ++hop;
      continue;
    } else if (resp.status == 429 || resp.status >= 500) {
      what = fmt::format("the Hub answered HTTP {}", resp.status);
      retry = true;
      wait = retry_after_s(resp);
    } else {
      // A complete response must hold as many bytes as it announced (compression is not requested).
      std::string cl = resp.header("content-length");
      if (!cl.empty() && cl.size() < 19 && std::all_of(cl.begin(), cl.end(), ::isdigit) &&
          std::stoull(cl) != resp.body.size())
        what = fmt::format("the response was cut short ({} of {} bytes)", resp.body.size(), cl), retry = true;
      else {
        for (const auto& [k, v] : hub_headers) resp.headers[k] = v;
        return resp;
      }
    }
    if (!retry || attempt >= o.max_retries || req.json_body)
      return fail(ErrorKind::Network,
                  attempt > 0 ? fmt::format("{} (after {} attempts)", what, attempt + 1) : what);
    double backoff = std::min(o.max_backoff_s, 0.5 * (1 << std::min(attempt, 10)));
    sleep_s(wait >= 0 ? std::min(wait, o.max_backoff_s) : backoff);
    ++attempt;
  }
  return fail(ErrorKind::Network, "too many redirects");
}

namespace {

std::string token_hint(const HubOptions& o) {
  if (o.token.empty())
    return "Pass a token with --token, set HF_TOKEN, or log in with `hf auth login` (it writes ~/.cache/huggingface/token).";
  return fmt::format("The token from {} does not grant access: request access on the model's page and use a token of "
                     "an account that has it.",
                     o.token_source);
}

// The Hub's definite answers (4xx), in accelerate's words where it has them.
Error http_error(const Response& r, const RepoRef& ref, std::string_view file, const HubOptions& o) {
  std::string code = r.header("x-error-code");
  if (code == "GatedRepo")
    return {ErrorKind::Auth, fmt::format("Repo for model `{}` is gated. You must be authenticated to access it. {}",
                                         ref.id, token_hint(o))};
  if (code == "RepoNotFound" || (r.status == 404 && code.empty() && file.empty()) || (r.status == 401 && code.empty()))
    return {ErrorKind::NotFound,
            fmt::format("Repo for model `{}` does not exist on the Hub. If you are trying to access a private repo, make "
                        "sure you are authenticated and have access.",
                        ref.id)};
  if (code == "RevisionNotFound")
    return {ErrorKind::NotFound, fmt::format("Revision `{}` does not exist for model `{}` on the Hub.", ref.revision, ref.id)};
  if (code == "EntryNotFound" || r.status == 404)
    return {ErrorKind::NotFound,
            fmt::format("Model `{}` has no `{}` at revision `{}`; `memfit inspect {}` may still estimate it from the "
                        "checkpoint headers.",
                        ref.id, file, ref.revision, ref.id)};
  if (r.status == 401 || r.status == 403)
    return {ErrorKind::Auth, fmt::format("The Hub refused access to model `{}` (HTTP {}). {}", ref.id, r.status, token_hint(o))};
  return {ErrorKind::Network, fmt::format("the Hub answered HTTP {} for `{}`", r.status, ref.id)};
}

bool looks_like_html(const Response& r) {
  if (lower(r.header("content-type")).starts_with("text/html")) return true;
  auto b = r.body.find_first_not_of(" \t\r\n");
  return b != std::string::npos && r.body[b] == '<';
}

bool looks_like_json(const std::string& body) {
  auto b = body.find_first_not_of(" \t\r\n\xef\xbb\xbf");
  return b != std::string::npos && (body[b] == '{' || body[b] == '[');
}

}  // namespace

Result<ModelInfo> HubClient::model_info(const RepoRef& ref) {
  std::string url = fmt::format("{}/api/models/{}", opts_.endpoint, ref.id);
  if (!ref.revision.empty() && ref.revision != "main") url += "/revision/" + url_quote(ref.revision);
  auto r = perform(*impl_, opts_, Request{url, "", 32 << 20, "model info"});
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) return std::unexpected(http_error(*r, ref, "", opts_));
  if (looks_like_html(*r) || !looks_like_json(r->body))
    return fail(ErrorKind::Network, fmt::format("the Hub's model info for `{}` is not JSON (an HTML page from a proxy?)", ref.id));
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(ErrorKind::Network, fmt::format("the Hub's model info for `{}` is not valid JSON", ref.id));
  ModelInfo info;
  auto str = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  info.id = str("id");
  info.sha = str("sha");
  info.library_name = str("library_name");
  if (auto g = j.find("gated"); g != j.end()) info.gated = g->is_string() || (g->is_boolean() && g->get<bool>());
  if (auto c = j.find("config"); c != j.end() && c->is_object()) info.has_auto_map = c->contains("auto_map");
  return info;
}

static Result<std::string> resolve_url(const std::string& endpoint, const RepoRef& ref, std::string_view file) {
  if (!is_safe_repo_path(file))
    return fail(ErrorKind::BadInput, fmt::format("`{}` of `{}` is not a plain relative file path inside the repository; "
                                                 "it was not requested",
                                                 terminal_safe(file, 200), ref.id));
  return fmt::format("{}/{}/resolve/{}/{}", endpoint, ref.id, url_quote(ref.revision), url_quote(file, "/"));
}

Result<HubFile> HubClient::download(const RepoRef& ref, std::string_view file, size_t max_bytes) {
  auto url = resolve_url(opts_.endpoint, ref, file);
  if (!url) return std::unexpected(url.error());
  Request req{*url, "", max_bytes, std::string(file)};
  // Headers of the first hop (the Hub's own answer) carry the commit and ETag; a CDN after a redirect may not.
  auto r = perform(*impl_, opts_, req);
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) return std::unexpected(http_error(*r, ref, file, opts_));
  if (looks_like_html(*r) || (file.ends_with(".json") && !looks_like_json(r->body)))
    return fail(ErrorKind::Network, fmt::format("the Hub sent something other than `{}` for `{}` (an HTML page from a "
                                                "proxy or captive portal?)",
                                                file, ref.id));
  std::string linked = r->header("x-linked-size");
  if (!linked.empty() && linked.size() < 19 && std::all_of(linked.begin(), linked.end(), ::isdigit) &&
      std::stoull(linked) != r->body.size())
    return fail(ErrorKind::Network,
                fmt::format("`{}` of `{}` is {} bytes, the Hub announced {}", file, ref.id, r->body.size(), linked));
  HubFile out;
  out.content = std::move(r->body);
  out.commit = r->header("x-repo-commit");
  std::string etag = r->header("x-linked-etag");
  if (etag.empty()) etag = r->header("etag");
  out.etag = normalise_etag(etag);
  return out;
}

Result<std::string> HubClient::download_range(const RepoRef& ref, std::string_view file, uint64_t offset,
                                              uint64_t length) {
  if (length == 0 || length > (256u << 20)) return fail(ErrorKind::Usage, "range length must be 1 byte to 256 MiB");
  auto url = resolve_url(opts_.endpoint, ref, file);
  if (!url) return std::unexpected(url.error());
  Request req{*url, fmt::format("bytes={}-{}", offset, offset + length - 1), static_cast<size_t>(length),
              std::string(file)};
  auto r = perform(*impl_, opts_, req);
  if (!r) return std::unexpected(r.error());
  if (r->status == 416) return std::string();  // the range starts at or past the end of the file
  if (r->status != 206 && r->status != 200) return std::unexpected(http_error(*r, ref, file, opts_));
  if (r->status == 206 && r->body.size() == length) return std::move(r->body);
  // Shorter is fine at the end of the file: `Content-Range: bytes a-b/total` whose body ends at the file's size (206;
  // some servers echo the asked-for b past the end), or the whole file when the server ignored the range of a read
  // from 0 (200).
  uint64_t a = 0, b = 0, total = 0;
  std::string cr = r->header("content-range");
  bool at_end = r->status == 206 && std::sscanf(cr.c_str(), "bytes %lu-%lu/%lu", &a, &b, &total) == 3 &&
                a == offset && r->body.size() < length && offset + r->body.size() == total;
  if (at_end || (r->status == 200 && offset == 0 && r->body.size() < length)) return std::move(r->body);
  return fail(ErrorKind::Network, fmt::format("`{}` of `{}`: asked for {} bytes at {}, got {} (HTTP {}, Content-Range "
                                              "`{}`)",
                                              file, ref.id, length, offset, r->body.size(), r->status,
                                              terminal_safe(cr, 80)));
}

Result<std::vector<RepoFile>> HubClient::list_files(const RepoRef& ref, size_t max_files) {
  std::string url =
      fmt::format("{}/api/models/{}/tree/{}?recursive=true", opts_.endpoint, ref.id, url_quote(ref.revision));
  std::vector<RepoFile> out;
  const std::string home = origin_of(opts_.endpoint);
  for (int page = 0; !url.empty(); ++page) {
    if (page >= 1000) return fail(ErrorKind::BadInput, fmt::format("the file list of `{}` has over 1000 pages", ref.id));
    auto r = perform(*impl_, opts_, Request{url, "", 64 << 20, "file list"});
    if (!r) return std::unexpected(r.error());
    // A 404 without the Hub's X-Error-Code is a server without this API (an older mirror), not a missing repo.
    if (r->status == 404 && r->header("x-error-code").empty())
      return fail(ErrorKind::Network, fmt::format("{} has no file list API (HTTP 404)", opts_.endpoint));
    if (r->status != 200) return std::unexpected(http_error(*r, ref, "", opts_));
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.is_array())
      return fail(ErrorKind::Network, fmt::format("the Hub's file list for `{}` is not a JSON array", ref.id));
    for (const auto& e : j) {
      if (!e.is_object() || e.value("type", "") != "file" || !e.contains("path") || !e["path"].is_string()) continue;
      RepoFile f{e["path"].get<std::string>(), 0};
      const auto& lfs = e.contains("lfs") && e["lfs"].is_object() ? e["lfs"] : e;
      if (lfs.contains("size") && lfs["size"].is_number_unsigned()) f.size = lfs["size"].get<uint64_t>();
      if (out.size() >= max_files)
        return fail(ErrorKind::BadInput, fmt::format("`{}` has more than {} files", ref.id, max_files));
      out.push_back(std::move(f));
    }
    // The next page, when the Hub says there is one (on the Hub's own origin only).
    url.clear();
    std::string link = r->header("link");
    if (auto n = link.find("rel=\"next\""); n != std::string::npos) {
      auto open = link.rfind('<', n), close = link.rfind('>', n);
      if (open != std::string::npos && close != std::string::npos && open < close) {
        std::string next = link.substr(open + 1, close - open - 1);
        if (origin_of(next) == home) url = next;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Discussions

namespace {
Result<nlohmann::json> json_answer(const Response& r, const RepoRef& ref, const HubOptions& o, const char* what) {
  if (r.status == 401 || r.status == 403) {
    std::string hint = o.token.empty() ? "a Hub token is needed to post" : "the token was refused (it needs write access)";
    return fail(ErrorKind::Auth, fmt::format("The Hub refused the {} for model `{}` (HTTP {}): {}", what, ref.id,
                                             r.status, hint));
  }
  if (r.status == 404) return std::unexpected(http_error(r, ref, "", o));
  if (r.status < 200 || r.status >= 300)
    return fail(ErrorKind::Network, fmt::format("the Hub answered HTTP {} to the {} for `{}`", r.status, what, ref.id));
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (looks_like_html(r) || j.is_discarded() || !j.is_object())
    return fail(ErrorKind::Network, fmt::format("the Hub's answer to the {} for `{}` is not a JSON object", what, ref.id));
  return j;
}
}  // namespace

Result<nlohmann::json> HubClient::list_discussions(const RepoRef& ref, int page) {
  std::string url = fmt::format("{}/api/models/{}/discussions?p={}", opts_.endpoint, ref.id, page);
  auto r = perform(*impl_, opts_, Request{url, "", 8 << 20, "discussions"});
  if (!r) return std::unexpected(r.error());
  return json_answer(*r, ref, opts_, "discussion list");
}

Result<nlohmann::json> HubClient::create_discussion(const RepoRef& ref, std::string_view title,
                                                    std::string_view description) {
  std::string url = fmt::format("{}/api/models/{}/discussions", opts_.endpoint, ref.id);
  const std::string body =
      nlohmann::json{{"title", title}, {"description", description}, {"pullRequest", false}}.dump();
  Request req{url, "", 1 << 20, "new discussion"};
  req.json_body = &body;
  auto r = perform(*impl_, opts_, req);
  if (!r) return std::unexpected(r.error());
  return json_answer(*r, ref, opts_, "new discussion");
}

}  // namespace memfit
