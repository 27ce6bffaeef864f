// memfit serve over real HTTP on 127.0.0.1: every endpoint, every class of bad input (JSON errors with their
// status, no internals), the request's token used for that request only, publishing against the stand-in Hub,
// limits (body size, URI size, a burst of concurrent clients), and the API answering exactly what the library does.
#include "serve/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "fit/fit.h"
#include "format/safetensors.h"
#include "hardware/gpus.h"
#include "source/catalog.h"
#include "serve/serve_test_util.h"
#include "source/fake_hub_test.h"
#include "core/file_scope.h"

namespace memfit::serve {
namespace MEMFIT_TU {

using nlohmann::json;
using memfit::testing::EnvGuard;
using memfit::testing::FakeHub;
using memfit::testing::FakeRepo;
using memfit::testing::TempDir;
using testing::Running;
using testing::hub_options;
using testing::catalog_repo;

ServeOptions offline_options(const TempDir& cache) {
  ServeOptions o;
  o.port = 0;
  o.resolve.use_hub = true;
  o.resolve.offline = true;
  o.resolve.cache_dir = cache.str();
  return o;
}

struct Answer {
  int status = 0;
  json body;
  std::string content_type;
};

Answer get(const Running& s, const std::string& path, const httplib::Headers& h = {}) {
  auto r = s.client().Get(path, h);
  if (!r) return {};
  return {r->status, json::parse(r->body, nullptr, false), r->get_header_value("Content-Type")};
}

Answer post(const Running& s, const std::string& path, const std::string& body, const httplib::Headers& h = {}) {
  auto r = s.client().Post(path, h, body, "application/json");
  if (!r) return {};
  return {r->status, json::parse(r->body, nullptr, false), r->get_header_value("Content-Type")};
}

// An error answer: JSON with the status, a kind, a one-line message that shows no server path.
void expect_error(const Answer& a, int status, const std::string& kind, const std::string& says) {
  EXPECT_EQ(a.status, status);
  ASSERT_TRUE(a.body.is_object()) << "not JSON";
  EXPECT_EQ(a.body.value("status", 0), status);
  EXPECT_EQ(a.body.value("kind", ""), kind);
  std::string msg = a.body.value("error", "");
  EXPECT_NE(msg.find(says), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  if (const char* home = std::getenv("HOME"); home && std::string_view(home).size() > 1)
    EXPECT_EQ(msg.find(home), std::string::npos) << msg;
}

TEST(Serve, EstimateIsTheCliTableAndJson) {
  EnvGuard env;
  TempDir cache;
  Running s(offline_options(cache));
  auto a = get(s, "/api/estimate?model=bert-base-cased");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.content_type, "application/json");
  EXPECT_EQ(a.body["model"], "bert-base-cased");
  EXPECT_EQ(a.body["source"], "catalog");
  EXPECT_EQ(a.body["architecture"], "BertModel");
  EXPECT_EQ(a.body["parameters"], 108310272);
  EXPECT_EQ(a.body["rows"][0]["total_size_bytes"], 433249280);
  std::string table = a.body["table"];
  EXPECT_NE(table.find("│float32│   86.47 MB  │413.18 MB │      1.61 GB      │"), std::string::npos) << table;
  EXPECT_NE(table.find("│  int4 │   10.81 MB  │ 51.65 MB │     206.59 MB     │"), std::string::npos) << table;
  EXPECT_EQ(a.body["training_stages"][0]["model"], "413.18 MB");
  EXPECT_EQ(a.body["training_stages"][0]["gradient_calculation"], "826.36 MB");
  EXPECT_EQ(a.body["training_stages"][0]["optimizer_step"], "1.61 GB");
  EXPECT_EQ(a.body["training_stages"][1]["dtype"], "float16");

  // dtypes in accelerate's order whatever the query's; a what-if quantization adds its section.
  auto b = get(s, "/api/estimate?model=bert-base-cased&dtypes=int4,float32&library_name=transformers");
  ASSERT_EQ(b.status, 200);
  ASSERT_EQ(b.body["rows"].size(), 2u);
  EXPECT_EQ(b.body["rows"][0]["dtype"], "float32");
  EXPECT_EQ(b.body["rows"][1]["dtype"], "int4");
  auto q = get(s, "/api/estimate?model=meta-llama/Llama-2-7b-hf&dtypes=float32&quantization=bnb-nf4");
  ASSERT_EQ(q.status, 200);
  EXPECT_EQ(q.body["quantized"]["scheme"], "bnb-nf4");
  EXPECT_GT(q.body["quantized"]["total_bytes"].get<uint64_t>(), 3000000000u);
  EXPECT_LT(q.body["quantized"]["total_bytes"].get<uint64_t>(), 4500000000u);
  auto t = get(s, "/api/estimate?model=timm/resnet50.a1_in1k&task_model=1&breakdown=true");
  ASSERT_EQ(t.status, 200);
  EXPECT_EQ(t.body["library"], "timm");
  EXPECT_TRUE(t.body.contains("breakdown"));
}

TEST(Serve, BadInputIsAJsonErrorWithItsStatus) {
  EnvGuard env;
  TempDir cache;
  Running s(offline_options(cache));
  expect_error(get(s, "/api/estimate"), 400, "usage", "parameter `model` is required");
  expect_error(get(s, "/api/estimate?model=/etc/passwd"), 400, "usage", "local paths are not accepted");
  expect_error(get(s, "/api/estimate?model=../../etc"), 400, "usage", "local paths");
  expect_error(get(s, "/api/estimate?model=~root"), 400, "usage", "local paths");
  expect_error(get(s, "/api/estimate?model=file:///etc/passwd"), 400, "usage", "only Hub ids");
  expect_error(get(s, "/api/estimate?model=bert-base-cased&nope=1"), 400, "usage", "unknown query parameter `nope`");
  expect_error(get(s, "/api/estimate?model=bert-base-cased&dtypes=float64"), 400, "usage", "`float64`");
  expect_error(get(s, "/api/estimate?model=bert-base-cased&library_name=pytorch"), 400, "usage", "library_name");
  expect_error(get(s, "/api/estimate?model=bert-base-cased&quantization=q1"), 400, "usage", "quantization");
  expect_error(get(s, "/api/estimate?model=bert-base-cased&task_model=maybe"), 400, "usage", "not a boolean");
  expect_error(get(s, "/api/estimate?model=bert-base-cased&revision=a%20b"), 400, "usage", "revision");
  expect_error(get(s, "/api/estimate?model=bert%01base"), 400, "usage", "control characters");
  expect_error(get(s, "/api/estimate?model=" + std::string(300, 'a')), 400, "usage", "too long");
  expect_error(get(s, "/api/estimate?model=bert-base-cased", {{"X-HF-Token", "a b"}}), 400, "usage", "token");
  expect_error(get(s, "/api/estimate?model=no-such-model-anywhere"), 404, "not_found", "no-such-model-anywhere");
  expect_error(get(s, "/api/catalog?limit=0"), 400, "usage", "limit");
  expect_error(get(s, "/api/search?limit=9999"), 400, "usage", "limit");
  expect_error(get(s, "/api/inspect?model=gpt2"), 422, "unsupported", "offline");
  expect_error(get(s, "/api/inspect?model=gpt2&file=../x"), 400, "usage", "file");
  expect_error(get(s, "/no/such/page"), 404, "", "not found");
  // The wrong method, a body too large, a URI too long: still JSON, the server still up.
  EXPECT_EQ(post(s, "/api/estimate", "{}").status, 405);
  EXPECT_EQ(get(s, "/api/publish").status, 405);
  EXPECT_EQ(post(s, "/api/publish", std::string(100000, 'x')).status, 413);
  EXPECT_EQ(get(s, "/api/estimate?model=" + std::string(20000, 'a')).status, 414);
  EXPECT_EQ(get(s, "/healthz").status, 200);
}

TEST(Serve, PageGpusCatalogHealth) {
  EnvGuard env;
  TempDir cache;
  Running s(offline_options(cache));
  auto page = s.client().Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_NE(page->body.find("<h2 id=\"how-title\">How much memory</h2>"), std::string::npos);
  auto js = s.client().Get("/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->body.find("innerHTML"), std::string::npos);  // the page never parses data as markup
  EXPECT_EQ(s.client().Get("/style.css")->status, 200);

  auto h = get(s, "/healthz");
  EXPECT_EQ(h.body["status"], "ok");
  EXPECT_EQ(h.body["version"], "0.1.0");
  auto g = get(s, "/api/gpus");
  ASSERT_EQ(g.status, 200);
  ASSERT_EQ(g.body.size(), gpu_table().size());
  EXPECT_EQ(g.body[0]["name"], gpu_table()[0].name);
  EXPECT_EQ(g.body[0]["usable_bytes"], gpu_table()[0].usable_bytes);
  auto c = get(s, "/api/catalog?q=BERT&limit=3");
  ASSERT_EQ(c.status, 200);
  ASSERT_EQ(c.body.size(), 3u);
  EXPECT_EQ(c.body[0]["id"], "bert-base-cased");  // prefix matches first
  for (const auto& e : c.body) EXPECT_NE(e["id"].get<std::string>().find("bert"), std::string::npos);
  EXPECT_EQ(get(s, "/api/catalog").body.size(), catalog().size());
}

// /api/fit and /api/search answer exactly what the library answers for the same parameters (fit() itself is tested
// beside it; this holds whether fit is a stub or the real thing).
TEST(Serve, FitAndSearchAreTheLibrarysAnswers) {
  EnvGuard env;
  TempDir cache;
  auto opts = offline_options(cache);
  Running s(opts);
  auto o = fit_options_from_params({{"gpu", "RTX-4090"}, {"context", "8192"}});
  ASSERT_TRUE(o.has_value());
  o->estimate.resolve = opts.resolve;
  o->estimate.resolve.allow_local = false;
  o->estimate.resolve.env_token = false;
  auto want = fit("bert-base-cased", *o);
  auto a = get(s, "/api/fit?model=bert-base-cased&gpu=RTX-4090&context=8192");
  if (want) {
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body, want->json);
  } else {
    expect_error(a, http_status(want.error().kind), a.body.value("kind", "?"), want.error().message);
  }
  expect_error(get(s, "/api/fit?gpu=RTX-4090"), 400, "usage", "`model` is required");
  expect_error(get(s, "/api/fit?model=/etc&gpu=RTX-4090"), 400, "usage", "local paths");
  expect_error(get(s, "/api/fit?model=bert-base-cased&gpu=RTX-4090&library_name=pytorch"), 400, "usage",
               "library_name");

  SearchOptions so;
  so.fit = *fit_options_from_params({{"gpu", "RTX-4090"}});
  so.limit = 5;
  auto swant = search(so);
  auto sa = get(s, "/api/search?gpu=RTX-4090&limit=5");
  if (swant) EXPECT_EQ(sa.status, 200);
  else EXPECT_EQ(sa.status, http_status(swant.error().kind));
}

TEST(Serve, HubModelsUseOnlyTheRequestsToken) {
  EnvGuard env;
  env.set("HF_TOKEN", "hf_server_own_token");  // the server's own token must never be used for a request
  TempDir cache;
  FakeHub hub;
  FakeRepo r = catalog_repo("bert-base-cased", 'c');
  r.gated_token = "hf_user_token";
  hub.add("acme/gated-bert", r);
  Running s(hub_options(hub, cache));
  expect_error(get(s, "/api/estimate?model=acme/gated-bert"), 401, "auth", "gated");
  auto ok = get(s, "/api/estimate?model=acme/gated-bert", {{"X-HF-Token", "hf_user_token"}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["source"], "hub");
  EXPECT_EQ(ok.body["rows"][0]["total_size_bytes"], 433249280);
  auto bearer = get(s, "/api/estimate?model=https://huggingface.co/acme/gated-bert",
                    {{"Authorization", "Bearer hf_user_token"}});
  EXPECT_EQ(bearer.status, 200);
  for (const auto& a : hub.auth_seen()) EXPECT_EQ(a.find("hf_server_own_token"), std::string::npos);
  // A repo the Hub does not have is 404; an unreachable Hub with nothing cached is 502.
  expect_error(get(s, "/api/estimate?model=acme/none"), 404, "not_found", "acme/none");
  hub.stop();
  expect_error(get(s, "/api/estimate?model=acme/other"), 502, "network", "");
}

TEST(Serve, InspectReadsHubHeadersWithTheRequestsTokenOnly) {
  EnvGuard env;
  env.set("HF_TOKEN", "hf_server_own_token");
  TempDir cache, dir;
  FakeHub hub;
  FakeRepo r = catalog_repo("bert-base-cased", 'a');
  std::string st = (dir.path() / "model.safetensors").string();
  ASSERT_TRUE(safetensors::write_file(st, {{"embeddings.weight", "BF16", {1000, 64}}, {"head.bias", "F32", {10}}}));
  r.files["model.safetensors"] = memfit::testing::slurp(st);
  r.gated_token = "hf_user_token";
  hub.add("acme/tiny", r);
  Running s(hub_options(hub, cache));
  expect_error(get(s, "/api/inspect?model=acme/tiny"), 401, "auth", "acme/tiny");
  auto a = get(s, "/api/inspect?model=acme/tiny&file=model.safetensors", {{"X-HF-Token", "hf_user_token"}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["parameters"], 64010);
  EXPECT_EQ(a.body["tensors"], 2);
  for (const auto& auth : hub.auth_seen()) EXPECT_EQ(auth.find("hf_server_own_token"), std::string::npos);
}

TEST(Serve, PublishPostsOnceThenLinks) {
  EnvGuard env;
  env.set("HF_TOKEN", "hf_server_own_token");
  TempDir cache;
  FakeHub hub;
  FakeRepo r = catalog_repo("bert-base-cased", 'd');
  r.write_token = "hf_writer";
  hub.add("bert-base-cased", r);
  Running s(hub_options(hub, cache));
  const std::string body = R"({"model": "bert-base-cased", "dtypes": ["float32", "float16"]})";
  expect_error(post(s, "/api/publish", body), 401, "auth", "needs a Hub token");
  expect_error(post(s, "/api/publish", body, {{"X-HF-Token", "hf_reader"}}), 401, "auth", "refused");
  EXPECT_TRUE(hub.repo("bert-base-cased").discussions.empty());

  auto a = post(s, "/api/publish", body, {{"X-HF-Token", "hf_writer"}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["url"], hub.endpoint() + "/bert-base-cased/discussions/1");
  EXPECT_EQ(a.body["num"], 1);
  EXPECT_EQ(a.body["existing"], false);
  auto d = hub.repo("bert-base-cased").discussions;
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]["title"], "[AUTOMATED] Model Memory Requirements");
  EXPECT_EQ(d[0]["pullRequest"], false);
  std::string text = d[0]["description"];
  EXPECT_NE(text.find("You will need about **413.18 MB** of memory to load `bert-base-cased` in float32"),
            std::string::npos) << text;
  EXPECT_NE(text.find("| float16 | 43.23 MB      | 206.59 MB  | 826.36 MB           |"), std::string::npos) << text;
  EXPECT_NE(text.find("memfit estimate-memory bert-base-cased --dtypes float32 float16"), std::string::npos) << text;
  EXPECT_NE(text.find("Computed by memfit 0.1.0"), std::string::npos);
  EXPECT_EQ(text.find("int4"), std::string::npos);  // only the dtypes asked for

  // Again: the existing discussion is linked, nothing posted.
  auto b = post(s, "/api/publish", body, {{"X-HF-Token", "hf_writer"}});
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(b.body["existing"], true);
  EXPECT_EQ(b.body["num"], 1);
  EXPECT_EQ(hub.repo("bert-base-cased").discussions.size(), 1u);
  for (const auto& auth : hub.auth_seen()) EXPECT_EQ(auth.find("hf_server_own_token"), std::string::npos);

  expect_error(post(s, "/api/publish", "not json"), 422, "bad_input", "JSON object");
  expect_error(post(s, "/api/publish", R"({"model": "bert-base-cased", "x": 1})"), 400, "usage", "unknown field `x`");
  expect_error(post(s, "/api/publish", R"({"model": 5})"), 400, "usage", "wrong type");
  expect_error(post(s, "/api/publish", R"({"model": "/etc/passwd"})"), 400, "usage", "local paths");
}

TEST(Serve, ManyClientsAtOnceAllAnswered) {
  EnvGuard env;
  TempDir cache;
  auto o = offline_options(cache);
  o.threads = 4;
  o.queue = 4;
  Running s(o);
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 24; ++c)
    clients.emplace_back([&, c] {
      auto cl = s.client();
      for (int i = 0; i < 10; ++i) {
        auto r = cl.Get(c % 3 == 0 ? "/api/estimate?model=gpt2" : "/api/estimate?model=bert-base-cased&dtypes=int8");
        (r && r->status == 200 && r->body.find("\"rows\"") != std::string::npos ? ok : bad)++;
      }
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 240);
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace memfit::serve
