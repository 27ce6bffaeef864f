// STUB until the fit work lands.
#include "fit/fit.h"

namespace memfit {

Result<FitOptions> fit_options_from_params(const std::vector<std::pair<std::string, std::string>>&) {
  return FitOptions{};
}
Result<FitResult> fit(std::string_view, const FitOptions&) {
  return fail(ErrorKind::Unsupported, "memfit fit is not implemented yet");
}
std::string render_fit_table(const FitResult&) { return {}; }
std::string render_fit_markdown(const FitResult&) { return {}; }
Result<nlohmann::json> search(const SearchOptions&) {
  return fail(ErrorKind::Unsupported, "memfit search is not implemented yet");
}

}  // namespace memfit
