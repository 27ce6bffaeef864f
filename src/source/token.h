// The Hugging Face access token, found where huggingface_hub looks for it. The token is a secret: it is only ever
// sent as an `Authorization: Bearer` header to the Hub's own host, never printed, logged or written anywhere.
#pragma once
#include <string>
#include <string_view>

#include "core/error.h"

namespace memfit {

struct Token {
  std::string value;   // empty: no token
  std::string source;  // where it came from, for messages: "--token", "HF_TOKEN" or the token file's path (never the value)
};

// `--token` if given, else $HF_TOKEN, else the token file ($HF_TOKEN_PATH, else $HF_HOME/token, else
// ~/.cache/huggingface/token). Surrounding whitespace is stripped; an empty value counts as absent.
Token find_token(std::string_view flag_token = {});

// A Usage error unless the token is a single printable word (no control character, space or non-ASCII byte): a CR
// or LF would inject HTTP headers. The message names where the token came from, never the token.
Result<void> check_token(std::string_view token, std::string_view source);

// $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface (huggingface_hub's rule).
std::string hf_home();

}  // namespace memfit
