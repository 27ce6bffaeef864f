// `memfit publish`: posts the memory table as a discussion on the model's Hub repository (or links the existing one).
#include <cstdio>

#include "cli/commands.h"
#include "publish/publish.h"
#include "source/token.h"

namespace memfit::cli {

namespace {
// The flags, bound straight into the library's options.
struct Args {
  std::string model;
  PublishOptions po;
  bool task_model = false, dry_run = false;
};

int run(Args& a) {
  if (!a.po.estimate.library.empty())
    if (auto e = check_choice("--library_name", a.po.estimate.library, {"transformers", "timm"})) return report_error(*e);
  for (const auto& d : a.po.estimate.dtypes)
    if (auto e = check_choice("--dtypes", d, accelerate_dtypes())) return report_error(*e);
  PublishOptions& po = a.po;
  po.estimate.target = a.task_model ? Target::TaskModel : Target::Accelerate;
  if (a.dry_run) {
    auto est = estimate_memory(a.model, po.estimate);
    if (!est) return report_error(est.error());
    std::string d = publish_description(*est, po.estimate);
    std::printf("%s\n\n%s", std::string(kPublishTitle).c_str(), d.c_str());
    return 0;
  }
  if (po.estimate.resolve.offline || env_offline())
    return report_error(Error{ErrorKind::Usage, "publish posts to the Hub; it cannot run offline"});
  po.token = find_token(po.estimate.resolve.token).value;
  auto r = publish(a.model, po);
  if (!r) return report_error(r.error());
  std::printf("%s\n", r->url.c_str());
  std::fprintf(stderr, "%s\n", r->existing ? "memfit: a discussion with this title already exists; nothing posted"
                                           : "memfit: discussion posted");
  return 0;
}
}  // namespace

Command add_publish(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* sub = app.add_subcommand("publish", "Post the memory table as a discussion on the model's Hub repository");
  sub->add_option("model", a->model, "Hub id (org/name, legacy id) or Hub URL")->required();
  sub->add_option("--library_name", a->po.estimate.library, "transformers or timm (default: detected from the config)");
  sub->add_option("--dtypes", a->po.estimate.dtypes, "Any of float32 float16 int8 int4 (default: all four)");
  sub->add_flag("--task-model", a->task_model, "Build the config's architectures[0] class (with its head)");
  sub->add_flag("--dry-run", a->dry_run, "Print the title and the discussion's text; post nothing");
  add_hub_options(sub, a->po.estimate.resolve);
  return {sub, [a] { return run(*a); }};
}

}  // namespace memfit::cli
