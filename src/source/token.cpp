// Mirrors huggingface_hub's utils/_auth.py (get_token) and constants.py (HF_HOME, HF_TOKEN_PATH).
#include "source/token.h"

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "source/resolve.h"

namespace memfit {

namespace {
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string strip(std::string s) {
  const char* ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}
}  // namespace

Result<void> check_token(std::string_view token, std::string_view source) {
  for (unsigned char c : token)
    if (c <= 0x20 || c >= 0x7f)
      return fail(ErrorKind::Usage,
                  fmt::format("the Hub token from {} contains a {} (a pasted line break?); it was not sent",
                              source.empty() ? "somewhere" : source,
                              c == '\r' || c == '\n' ? "line break" : c == ' ' ? "space" : c < 0x20 || c == 0x7f
                                                                                        ? "control character"
                                                                                        : "non-ASCII byte"));
  return {};
}

std::string hf_home() {
  if (auto h = env("HF_HOME"); !h.empty()) return h;
  if (auto x = env("XDG_CACHE_HOME"); !x.empty()) return (std::filesystem::path(x) / "huggingface").string();
  return (std::filesystem::path(env("HOME")) / ".cache" / "huggingface").string();
}

Token find_token(std::string_view flag_token) {
  if (auto t = strip(std::string(flag_token)); !t.empty()) return {t, "--token"};
  if (auto t = strip(env("HF_TOKEN")); !t.empty()) return {t, "HF_TOKEN"};
  std::string path = env("HF_TOKEN_PATH");
  if (path.empty()) path = (std::filesystem::path(hf_home()) / "token").string();
  auto text = read_file_limited(path, 64 << 10);
  if (text)
    if (auto t = strip(*text); !t.empty()) return {t, path};
  return {};
}

}  // namespace memfit
