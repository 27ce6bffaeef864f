#include "publish/publish.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/report.h"
#include "source/hub.h"
#include "source/token.h"

#ifndef MEMFIT_VERSION
#define MEMFIT_VERSION "unknown"
#endif

namespace memfit {

namespace {
std::string shell_quote(const std::string& s) {
  bool plain = !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                 "-_./:=@+,") == std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

std::string reproduce_command(const Estimate& e, const EstimateOptions& o) {
  std::string cmd = "memfit estimate-memory " + shell_quote(e.model);
  if (!o.library.empty()) cmd += " --library_name " + o.library;
  if (o.dtypes != accelerate_dtypes()) {
    cmd += " --dtypes";
    for (const auto& d : o.dtypes) cmd += " " + d;
  }
  if (o.target == Target::TaskModel) cmd += " --task-model";
  if (!o.resolve.revision.empty()) cmd += " --revision " + shell_quote(o.resolve.revision);
  if (!o.quantization.empty()) cmd += " --quantization " + shell_quote(o.quantization);
  return cmd;
}

std::string publish_description(const Estimate& e, const EstimateOptions& o) {
  std::string out = "# Model Memory Requirements\n\n";
  if (!e.rows.empty()) {
    auto s = row_strings(e.rows.front());
    out += fmt::format(
        "You will need about **{}** of memory to load `{}` in {} (its largest layer, `{}`, is {}), and about **{}** "
        "to train it with Adam (weights, gradients and two optimizer moments, 4 x the weights).\n\n",
        s[2], e.model, s[0], e.m.largest_names.empty() ? e.architecture : e.m.largest_names.front(), s[1],
        s[3]);
  }
  out += "## Results\n\n" + render_markdown(e) + "\n";
  out += "## Settings\n\n";
  out += fmt::format("- library: `{}`; architecture built: `{}`; parameters: {}\n", e.library, e.architecture,
                     e.m.parameters);
  out += fmt::format("- dtypes: {}\n", fmt::join(o.dtypes, ", "));
  out += fmt::format("- config from: {}\n", e.source);
  out += "\n## Assumptions\n\n";
  out += "- Sizes are every parameter and buffer of the model as built from its `config.json` (no weights downloaded); "
         "tied weights count once.\n";
  out += "- The largest layer is the biggest block that cannot be split across devices (`_no_split_modules`).\n";
  out += "- Training using Adam is 4 x the weights (weights, gradients, two Adam moments), without activations: a "
         "lower bound. Expect about 20% more for inference (CUDA context, activations).\n";
  for (const auto& n : e.notes) out += "- " + n + "\n";
  out += fmt::format("\nComputed by memfit {}. Reproduce with:\n\n```\n{}\n```\n", MEMFIT_VERSION,
                     reproduce_command(e, o));
  return out;
}

Result<PublishResult> publish(std::string_view model, const PublishOptions& o) {
  std::string endpoint = o.estimate.resolve.endpoint.empty() ? hub_endpoint() : o.estimate.resolve.endpoint;
  while (endpoint.size() > 1 && endpoint.back() == '/') endpoint.pop_back();
  auto ref = parse_repo_ref(model, o.estimate.resolve.revision, endpoint);
  if (!ref) return std::unexpected(ref.error());
  auto est = estimate_memory(model, o.estimate);
  if (!est) return std::unexpected(est.error());

  PublishResult res;
  res.repo_id = ref->id;
  res.description = publish_description(*est, o.estimate);
  HubOptions ho;
  ho.endpoint = endpoint;
  ho.token = o.token;
  ho.token_source = "the request";
  if (o.estimate.resolve.timeout_s > 0) ho.timeout_s = o.estimate.resolve.timeout_s;
  if (o.estimate.resolve.connect_timeout_s > 0) ho.connect_timeout_s = o.estimate.resolve.connect_timeout_s;
  HubClient hub(std::move(ho));
  auto url_of = [&](int num) { return fmt::format("{}/{}/discussions/{}", endpoint, ref->id, num); };

  // The Hub lists 50 discussions a page; 20 pages (1,000 discussions) bound the search.
  for (int page = 0; page < 20; ++page) {
    auto list = hub.list_discussions(*ref, page);
    if (!list) return std::unexpected(list.error());
    auto it = list->find("discussions");
    if (it == list->end() || !it->is_array() || it->empty()) break;
    for (const auto& d : *it) {
      if (!d.is_object() || d.value("title", nlohmann::json()) != kPublishTitle) continue;
      if (d.value("isPullRequest", false)) continue;
      auto num = d.find("num");
      if (num == d.end() || !num->is_number_integer()) continue;
      res.num = num->get<int>();
      res.existing = true;
      res.url = url_of(res.num);
      return res;
    }
    if (it->size() < 50) break;
  }
  if (o.token.empty())
    return fail(ErrorKind::Auth, fmt::format("posting a discussion on `{}` needs a Hub token with write access (none "
                                             "was given)",
                                             ref->id));
  auto made = hub.create_discussion(*ref, kPublishTitle, res.description);
  if (!made) return std::unexpected(made.error());
  auto num = made->find("num");
  if (num == made->end() || !num->is_number_integer())
    return fail(ErrorKind::Network, "the Hub's answer to the new discussion has no discussion number");
  res.num = num->get<int>();
  res.url = url_of(res.num);
  return res;
}

}  // namespace memfit
