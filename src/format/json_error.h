// The line:column error for malformed JSON, shared by every JSON reader (parse_json, the safetensors header parser).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"

namespace memfit {

// The error parse_json gives for a syntax error at byte `byte` (1-based, as nlohmann counts) of `text`.
Error json_syntax_error(std::string_view text, std::string_view origin, size_t byte, std::string what);

}  // namespace memfit
