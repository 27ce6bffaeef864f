// Text that came from a file or the network, made safe to print on a terminal: control characters (C0, DEL, C1) as
// visible escapes, and the length capped, so a hostile `model_type` or tensor name cannot clear the screen, ring the
// bell, forge extra lines or flood the terminal.
#pragma once
#include <string>
#include <string_view>

namespace memfit {

// `s` with \n, \r, \t, ESC and every other control character written as `\xNN` (C1 as `\u00NN`), cut to about
// `max_bytes` (at a UTF-8 boundary) with "...(N bytes)" appended when longer.
std::string terminal_safe(std::string_view s, size_t max_bytes = 4096);

}  // namespace memfit
