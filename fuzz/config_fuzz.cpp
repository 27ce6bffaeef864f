// libFuzzer target: the config.json reader (parse_json) and the typed Config accessors architectures use.
#include <cstdint>
#include <string>

#include "format/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto j = memfit::parse_json(text, "config.json");
  if (!j || !j->is_object()) return 0;
  auto mt = j->find("model_type");
  memfit::Config c(*j, mt != j->end() && mt->is_string() ? mt->get<std::string>() : std::string());
  try {
    (void)c.i("hidden_size", 0);
    (void)c.i_any({"num_hidden_layers", "n_layer", "num_layers"});
  } catch (const memfit::ConfigError&) {
  }
  for (auto key : {"num_attention_heads", "intermediate_size", "vocab_size"}) {
    try {
      (void)c.opt_i(key);
      (void)c.f(key, 1.0);
      (void)c.b(key, false);
      (void)c.s(key, "");
      (void)c.strings(key);
      (void)c.ints(key);
    } catch (const memfit::ConfigError&) {
    }
  }
  for (auto sub : {"text_config", "vision_config"}) {
    try {
      if (auto s = c.opt_sub(sub)) (void)s->i("hidden_size", 0);
    } catch (const memfit::ConfigError&) {
    }
  }
  return 0;
}
