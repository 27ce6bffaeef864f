#include "serve/server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fit/fit.h"
#include "hardware/gpus.h"
#include "inspect/hub_inspect.h"
#include "inspect/inspect.h"
#include "memfit.h"
#include "publish/publish.h"
#include "report/pyfmt.h"
#include "report/report.h"
#include "serve/assets.h"
#include "source/catalog.h"

#ifndef MEMFIT_VERSION
#define MEMFIT_VERSION "unknown"
#endif

namespace memfit::serve {

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Usage: return 400;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::BadInput:
    case ErrorKind::Unsupported: return 422;
    case ErrorKind::Network: return 502;
    case ErrorKind::Auth: return 401;
    default: return 500;
  }
}

namespace {

using json = nlohmann::json;
using Params = std::vector<std::pair<std::string, std::string>>;

const char* kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::Usage: return "usage";
    case ErrorKind::NotFound: return "not_found";
    case ErrorKind::BadInput: return "bad_input";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::Network: return "network";
    case ErrorKind::Auth: return "auth";
    default: return "internal";
  }
}

// A thread pool whose queue is bounded: past `max_queue` waiting connections, the accept loop blocks (the kernel's
// backlog then holds new clients), so a flood never grows memory without bound.
class BoundedPool : public httplib::TaskQueue {
 public:
  BoundedPool(size_t threads, size_t max_queue) : max_queue_(max_queue) {
    for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return jobs_.size() < max_queue_ || shutdown_; });
    jobs_.push_back(std::move(fn));
    ready_.notify_one();
  }
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    ready_.notify_all();
    room_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;  // shut down and drained
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      room_.notify_one();
      fn();
    }
  }
  size_t max_queue_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> workers_;
  bool shutdown_ = false;
};

// ---------------------------------------------------------------------------------------------------------------
// Validation

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= 0x20 && c != 0x7f; });
}

std::optional<Error> usage(std::string msg) { return Error{ErrorKind::Usage, std::move(msg)}; }

// Every query: at most 64 parameters, names [a-z0-9_] up to 64 characters, values up to 1,024 printable bytes, each
// name known to the endpoint.
Result<Params> query_params(const httplib::Request& req, const std::set<std::string>& allowed) {
  if (req.params.size() > 64) return fail(ErrorKind::Usage, "too many query parameters (at most 64)");
  Params out;
  for (const auto& [k, v] : req.params) {
    bool name_ok = !k.empty() && k.size() <= 64 && std::all_of(k.begin(), k.end(), [](unsigned char c) {
      return std::islower(c) || std::isdigit(c) || c == '_';
    });
    if (!name_ok) return fail(ErrorKind::Usage, "a query parameter name is not of the form [a-z0-9_]+");
    if (!allowed.empty() && !allowed.count(k))
      return fail(ErrorKind::Usage, fmt::format("unknown query parameter `{}`", k));
    if (v.size() > 1024 || !printable(v))
      return fail(ErrorKind::Usage, fmt::format("query parameter `{}` is too long or holds control characters", k));
    out.emplace_back(k, v);
  }
  return out;
}

std::string param(const Params& p, std::string_view name) {
  for (const auto& [k, v] : p)
    if (k == name) return v;
  return {};
}

Result<bool> flag_param(const Params& p, std::string_view name) {
  std::string v = param(p, name);
  if (v.empty() || v == "0" || v == "false" || v == "no") return false;
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  return fail(ErrorKind::Usage, fmt::format("parameter `{}`: `{}` is not a boolean (1, 0, true, false)", name, v));
}

// A model as a request may name it: a Hub id, a Hub URL or a catalog id. Never a local path: the server does not
// read files a request names.
std::optional<Error> check_model(const std::string& m) {
  if (m.empty()) return usage("parameter `model` is required");
  if (m.size() > 256 || !printable(m)) return usage("parameter `model` is too long or holds control characters");
  if (m.find(' ') != std::string::npos) return usage("parameter `model` holds a space");
  bool url = m.starts_with("https://") || m.starts_with("http://");
  if (!url && m.find("://") != std::string::npos)
    return usage("parameter `model`: only Hub ids and https:// Hub URLs are accepted");
  if (m.front() == '/' || m.front() == '.' || m.front() == '~' || m.find('\\') != std::string::npos ||
      m.find("..") != std::string::npos)
    return usage("parameter `model`: local paths are not accepted by the server; give a Hub id or URL");
  return std::nullopt;
}

std::optional<Error> check_revision(const std::string& r) {
  if (r.size() > 128 || !std::all_of(r.begin(), r.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/';
      }) || r.find("..") != std::string::npos)
    return usage("parameter `revision` must be a branch, tag, commit sha or refs/pr/N");
  return std::nullopt;
}

std::vector<std::string> split_list(const Params& p, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : p) {
    if (k != name) continue;
    size_t b = 0;
    while (b <= v.size()) {
      size_t e = v.find(',', b);
      if (e == std::string::npos) e = v.size();
      if (e > b) out.push_back(v.substr(b, e - b));
      b = e + 1;
    }
  }
  return out;
}

// The request's Hub token: `X-HF-Token: T` or `Authorization: Bearer T`. Used for this request only.
Result<std::string> request_token(const httplib::Request& req) {
  std::string t = req.get_header_value("X-HF-Token");
  if (t.empty()) {
    std::string a = req.get_header_value("Authorization");
    if (a.starts_with("Bearer ")) t = a.substr(7);
  }
  if (t.size() > 512 || !std::all_of(t.begin(), t.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; }))
    return fail(ErrorKind::Usage, "the Hub token header is malformed");
  return t;
}

// Error messages may mention the server's home folder (cache paths): shown as ~.
std::string scrub(std::string msg) {
  static const std::string home = [] {
    const char* h = std::getenv("HOME");
    return std::string(h && std::string_view(h).size() > 1 ? h : "");
  }();
  if (!home.empty())
    for (size_t p; (p = msg.find(home)) != std::string::npos;) msg.replace(p, home.size(), "~");
  return msg;
}

void send_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body, "application/json");
}

void send_error(httplib::Response& res, const Error& e) {
  int status = http_status(e.kind);
  std::string msg = e.kind == ErrorKind::Internal ? "internal error" : scrub(e.message);
  send_json(res, status, json{{"error", msg}, {"kind", kind_name(e.kind)}, {"status", status}}.dump());
}

// ---------------------------------------------------------------------------------------------------------------
// Options shared by the endpoints

const std::set<std::string> kEstimateParams{"model", "library_name", "dtypes", "task_model", "quantization",
                                             "revision", "breakdown"};

Result<EstimateOptions> estimate_options(const Params& p, const ResolveOptions& resolve) {
  EstimateOptions o;
  o.resolve = resolve;
  std::string lib = param(p, "library_name");
  if (lib == "auto") lib.clear();
  if (!lib.empty() && lib != "transformers" && lib != "timm")
    return fail(ErrorKind::Usage, fmt::format("parameter `library_name`: `{}` is not one of auto, transformers, timm", lib));
  o.library = lib;
  auto dtypes = split_list(p, "dtypes");
  if (dtypes.size() > 8) return fail(ErrorKind::Usage, "parameter `dtypes`: too many values");
  for (const auto& d : dtypes)
    if (!is_accelerate_dtype(d))
      return fail(ErrorKind::Usage, fmt::format("parameter `dtypes`: `{}` is not one of float32, float16, int8, int4", d));
  if (!dtypes.empty()) {
    o.dtypes.clear();
    for (const auto& d : accelerate_dtypes())  // accelerate's order, each once
      if (std::find(dtypes.begin(), dtypes.end(), d) != dtypes.end()) o.dtypes.push_back(d);
  }
  auto tm = flag_param(p, "task_model");
  if (!tm) return std::unexpected(tm.error());
  o.target = *tm ? Target::TaskModel : Target::Accelerate;
  auto bd = flag_param(p, "breakdown");
  if (!bd) return std::unexpected(bd.error());
  o.breakdown = *bd;
  o.quantization = param(p, "quantization");
  if (!o.quantization.empty()) {
    const auto& names = quantization_names();
    if (std::find(names.begin(), names.end(), o.quantization) == names.end())
      return fail(ErrorKind::Usage, fmt::format("parameter `quantization`: `{}` is not a known scheme", o.quantization));
  }
  o.resolve.revision = param(p, "revision");
  if (auto e = check_revision(o.resolve.revision)) return std::unexpected(*e);
  return o;
}

// accelerate's table, the JSON, and the training stages of the official Space (model, + gradients, + Adam's moments).
std::string estimate_body(const Estimate& e, bool breakdown) {
  auto j = nlohmann::ordered_json::parse(render_json(e));
  j["table"] = render_table(e) + (breakdown ? render_breakdown(e) : "");
  auto stages = nlohmann::ordered_json::array();
  for (const auto& r : e.rows) {
    double w = r.total.value;
    auto s = [&](double x) { return convert_bytes(x, r.total.py_int); };
    stages.push_back({{"dtype", r.dtype},
                      {"model", s(w)},
                      {"gradient_calculation", s(2 * w)},
                      {"backward_pass", s(2 * w)},
                      {"optimizer_step", s(4 * w)},
                      {"peak_bytes", 4 * w}});
  }
  j["training_stages"] = stages;
  j["version"] = MEMFIT_VERSION;
  return j.dump();
}

std::string gpus_body() {
  json a = json::array();
  for (const auto& g : gpu_table())
    a.push_back({{"vendor", g.vendor}, {"name", g.name}, {"aliases", g.aliases}, {"family", g.family},
                 {"segment", g.segment}, {"memory_bytes", g.memory_bytes}, {"usable_bytes", g.usable_bytes},
                 {"bandwidth_gbs", g.bandwidth_gbs}, {"bf16_tflops", g.bf16_tflops}, {"bf16", g.bf16},
                 {"fp8", g.fp8}, {"unified", g.unified}, {"year", g.year}, {"source", g.source}});
  return a.dump();
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------

struct Server::Impl {
  ServeOptions opts;
  httplib::Server http;
  std::string gpus_json;

  // Resolution for one request: the server's settings plus the request's own token; never a local path, never the
  // server's own token; Hub time bounded.
  ResolveOptions resolve_for(const std::string& token) const {
    ResolveOptions r = opts.resolve;
    r.token = token;
    r.env_token = false;
    r.allow_local = false;
    r.progress = false;
    r.note = nullptr;
    r.timeout_s = opts.hub_timeout_s;
    r.connect_timeout_s = std::min(5.0, opts.hub_timeout_s);
    r.max_retries = 1;
    return r;
  }

  void estimate(const httplib::Request& req, httplib::Response& res) const {
    auto p = query_params(req, kEstimateParams);
    if (!p) return send_error(res, p.error());
    std::string model = param(*p, "model");
    if (auto e = check_model(model)) return send_error(res, *e);
    auto tok = request_token(req);
    if (!tok) return send_error(res, tok.error());
    auto o = estimate_options(*p, resolve_for(*tok));
    if (!o) return send_error(res, o.error());
    auto est = estimate_memory(model, *o);
    if (!est) return send_error(res, est.error());
    send_json(res, 200, estimate_body(*est, o->breakdown));
  }

  // /api/fit and /api/search: the fit options parsed by the library (the CLI's names), resolution set here.
  Result<FitOptions> fit_options(const Params& p, const std::string& token, std::set<std::string> skip) const {
    Params rest;
    for (const auto& kv : p)
      if (!skip.count(kv.first)) rest.push_back(kv);
    auto o = fit_options_from_params(rest);
    if (!o) return std::unexpected(o.error());
    // The library and the revision are the estimate's (same checks as /api/estimate).
    auto eo = estimate_options(Params{{"library_name", param(p, "library_name")}}, resolve_for(token));
    if (!eo) return std::unexpected(eo.error());
    o->estimate.library = eo->library;
    o->estimate.resolve = resolve_for(token);
    o->estimate.resolve.revision = param(p, "revision");
    if (auto e = check_revision(o->estimate.resolve.revision)) return std::unexpected(*e);
    return o;
  }

  void fit_route(const httplib::Request& req, httplib::Response& res) const {
    auto p = query_params(req, {});
    if (!p) return send_error(res, p.error());
    std::string model = param(*p, "model");
    if (auto e = check_model(model)) return send_error(res, *e);
    auto tok = request_token(req);
    if (!tok) return send_error(res, tok.error());
    auto o = fit_options(*p, *tok, {"model", "revision", "library_name"});
    if (!o) return send_error(res, o.error());
    auto r = fit(model, *o);
    if (!r) return send_error(res, r.error());
    send_json(res, 200, r->json.dump());
  }

  void search_route(const httplib::Request& req, httplib::Response& res) const {
    auto p = query_params(req, {});
    if (!p) return send_error(res, p.error());
    if (!param(*p, "model").empty()) return send_error(res, Error{ErrorKind::Usage, "search takes no `model`"});
    size_t limit = 50;
    if (std::string l = param(*p, "limit"); !l.empty()) {
      if (l.size() > 4 || !std::all_of(l.begin(), l.end(), ::isdigit) || std::stoul(l) == 0 || std::stoul(l) > 500)
        return send_error(res, Error{ErrorKind::Usage, "parameter `limit` must be 1 to 500"});
      limit = std::stoul(l);
    }
    auto o = fit_options(*p, "", {"limit", "revision", "library_name"});
    if (!o) return send_error(res, o.error());
    SearchOptions so;
    so.fit = std::move(*o);
    so.limit = limit;
    auto r = search(so);
    if (!r) return send_error(res, r.error());
    send_json(res, 200, r->dump());
  }

  void inspect_route(const httplib::Request& req, httplib::Response& res) const {
    auto p = query_params(req, {"model", "revision", "file"});
    if (!p) return send_error(res, p.error());
    std::string model = param(*p, "model");
    if (auto e = check_model(model)) return send_error(res, *e);
    std::string file = param(*p, "file");
    if (file.size() > 256 || file.find("..") != std::string::npos || file.starts_with("/"))
      return send_error(res, Error{ErrorKind::Usage, "parameter `file` must be a file name inside the repository"});
    auto tok = request_token(req);
    if (!tok) return send_error(res, tok.error());
    if (!opts.resolve.use_hub || opts.resolve.offline || env_offline())
      return send_error(res, Error{ErrorKind::Unsupported, "inspect reads checkpoint headers from the Hub; this "
                                                           "server runs offline"});
    inspect::HubInspectOptions ho;
    ho.revision = param(*p, "revision");
    if (auto e = check_revision(ho.revision)) return send_error(res, *e);
    ho.token = *tok;
    ho.env_token = false;
    ho.endpoint = opts.resolve.endpoint;
    ho.file = file;
    ho.timeout_s = opts.hub_timeout_s;
    ho.connect_timeout_s = std::min(5.0, opts.hub_timeout_s);
    ho.parallel = 4;
    auto r = inspect::inspect_hub(model, ho);
    if (!r) return send_error(res, r.error());
    send_json(res, 200, inspect::to_json(*r).dump());
  }

  void catalog_route(const httplib::Request& req, httplib::Response& res) const {
    auto p = query_params(req, {"q", "limit"});
    if (!p) return send_error(res, p.error());
    std::string q = lower(param(*p, "q"));
    size_t limit = 1000;
    if (std::string l = param(*p, "limit"); !l.empty()) {
      if (l.size() > 4 || !std::all_of(l.begin(), l.end(), ::isdigit) || std::stoul(l) == 0)
        return send_error(res, Error{ErrorKind::Usage, "parameter `limit` must be a positive number"});
      limit = std::stoul(l);
    }
    // Prefix matches of the id or of its name part first, then other substring matches.
    json first = json::array(), rest = json::array();
    for (const auto& c : catalog()) {
      std::string id = lower(c.id);
      auto pos = id.find(q);
      if (pos == std::string::npos) continue;
      bool prefix = pos == 0 || (id[pos - 1] == '/');
      (prefix ? first : rest).push_back({{"id", c.id}, {"library", c.library}});
    }
    for (auto& x : rest) first.push_back(std::move(x));
    if (first.size() > limit) first.erase(first.begin() + static_cast<long>(limit), first.end());
    send_json(res, 200, first.dump());
  }

  void publish_route(const httplib::Request& req, httplib::Response& res) const {
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return send_error(res, Error{ErrorKind::BadInput, "the request body must be a JSON object"});
    Params p;
    for (const auto& [k, v] : body.items()) {
      if (!kEstimateParams.count(k))
        return send_error(res, Error{ErrorKind::Usage, fmt::format("unknown field `{}`", k.size() > 64 ? "?" : k)});
      if (v.is_string()) p.emplace_back(k, v.get<std::string>());
      else if (v.is_boolean()) p.emplace_back(k, v.get<bool>() ? "1" : "0");
      else if (v.is_array() && v.size() <= 8)
        for (const auto& x : v) {
          if (!x.is_string()) return send_error(res, Error{ErrorKind::Usage, fmt::format("field `{}`: strings only", k)});
          p.emplace_back(k, x.get<std::string>());
        }
      else return send_error(res, Error{ErrorKind::Usage, fmt::format("field `{}` has the wrong type", k)});
    }
    for (const auto& [k, v] : p)
      if (v.size() > 1024 || !printable(v))
        return send_error(res, Error{ErrorKind::Usage, fmt::format("field `{}` is too long or holds control characters", k)});
    std::string model = param(p, "model");
    if (auto e = check_model(model)) return send_error(res, *e);
    auto tok = request_token(req);
    if (!tok) return send_error(res, tok.error());
    if (!opts.resolve.use_hub || opts.resolve.offline || env_offline())
      return send_error(res, Error{ErrorKind::Unsupported, "publishing needs the Hub; this server runs offline"});
    auto eo = estimate_options(p, resolve_for(*tok));
    if (!eo) return send_error(res, eo.error());
    PublishOptions po;
    po.estimate = std::move(*eo);
    po.token = *tok;
    auto r = memfit::publish(model, po);
    if (!r) return send_error(res, r.error());
    send_json(res, 200, json{{"repo", r->repo_id}, {"url", r->url}, {"num", r->num}, {"existing", r->existing}}.dump());
  }

  void routes() {
    for (const auto& a : page_assets()) {
      std::string path(a.path);
      auto handler = [a](const httplib::Request&, httplib::Response& res) {
        res.set_header("Cache-Control", "no-cache");
        res.set_content(std::string(a.body), std::string(a.content_type));
      };
      http.Get(path, handler);
      if (path == "/index.html") http.Get("/", handler);
    }
    http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, json{{"status", "ok"}, {"version", MEMFIT_VERSION}}.dump());
    });
    http.Get("/api/estimate", [this](const auto& q, auto& r) { estimate(q, r); });
    http.Get("/api/fit", [this](const auto& q, auto& r) { fit_route(q, r); });
    http.Get("/api/search", [this](const auto& q, auto& r) { search_route(q, r); });
    http.Get("/api/inspect", [this](const auto& q, auto& r) { inspect_route(q, r); });
    http.Get("/api/catalog", [this](const auto& q, auto& r) { catalog_route(q, r); });
    http.Get("/api/gpus", [this](const httplib::Request& q, httplib::Response& r) {
      auto p = query_params(q, {"_"});
      if (!p) return send_error(r, p.error());
      send_json(r, 200, gpus_json);
    });
    http.Post("/api/publish", [this](const auto& q, auto& r) { publish_route(q, r); });
    auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
      send_error(res, Error{ErrorKind::Usage, "method not allowed"});
      res.status = 405;
    };
    http.Get("/api/publish", not_allowed);
    http.Post(R"(/api/(estimate|fit|search|inspect|catalog|gpus))", not_allowed);
    http.Put(".*", not_allowed);
    http.Delete(".*", not_allowed);
    http.Patch(".*", not_allowed);
  }
};

Server::Server(ServeOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
  auto& o = impl_->opts;
  auto& h = impl_->http;
  impl_->gpus_json = gpus_body();
  size_t threads = static_cast<size_t>(std::clamp(o.threads, 1, 256));
  size_t queue = std::max<size_t>(o.queue, 1);
  h.new_task_queue = [threads, queue] { return new BoundedPool(threads, queue); };
  h.set_payload_max_length(o.max_body);
  h.set_read_timeout(o.io_timeout_s, 0);
  h.set_write_timeout(o.io_timeout_s, 0);
  h.set_keep_alive_timeout(o.keep_alive_s);
  h.set_keep_alive_max_count(100);  // then the connection closes: waiting clients get a thread
  h.set_tcp_nodelay(true);
  static thread_local std::chrono::steady_clock::time_point started;
  h.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    started = std::chrono::steady_clock::now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  h.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Frame-Options", "DENY");
    if (req.path == "/" || req.path.ends_with(".html"))
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                     "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
  });
  // Anything httplib answers itself (unknown path, 413 body too large, 400 unparsable request) is JSON too.
  h.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    int status = res.status;
    std::string msg = status == 404   ? "not found"
                      : status == 413 ? "request body too large"
                      : status == 414 ? "request URI too long"
                                      : "bad request";
    res.set_content(json{{"error", msg}, {"status", status}}.dump(), "application/json");
  });
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(json{{"error", "internal error"}, {"kind", "internal"}, {"status", 500}}.dump(),
                    "application/json");
  });
  if (o.log)
    h.set_logger([log = o.log](const httplib::Request& req, const httplib::Response& res) {
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      // The path only: queries may hold what a user typed; headers (tokens) are never logged.
      std::string path = req.path.size() > 200 ? req.path.substr(0, 200) + "..." : req.path;
      for (auto& c : path)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
      log(fmt::format("{} {} {} {:.2f} ms", req.method, path, res.status, ms));
    });
  impl_->routes();
}

Server::~Server() { stop(); }

Result<int> Server::bind() {
  auto& o = impl_->opts;
  int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host) : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0)
    return fail(ErrorKind::Network, fmt::format("cannot listen on {}:{} (address in use, or not an address of this "
                                                "machine)",
                                                o.host, o.port));
  return port;
}

void Server::run() { impl_->http.listen_after_bind(); }

void Server::stop() {
  if (impl_->http.is_running()) impl_->http.stop();
}

}  // namespace memfit::serve
