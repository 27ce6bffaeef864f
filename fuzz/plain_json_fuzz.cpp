// libFuzzer target, differential: whatever the plain-JSON fast scanner (format/plain_json.h) accepts, nlohmann's
// full parser must accept too, with the same event stream. (What the scanner refuses, the caller hands to nlohmann.)
#include <cstdint>
#include <string>

#include "format/json_event_log.h"
#include "format/plain_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  memfit::JsonEventLog fast;
  if (!memfit::scan_plain_json(text, fast)) return 0;
  memfit::JsonEventLog full;
  if (!nlohmann::json::sax_parse(text, &full)) __builtin_trap();  // accepted by the scanner, refused by nlohmann
  if (fast.log != full.log) __builtin_trap();                     // the two read different documents
  return 0;
}
