#!/usr/bin/env bash
# Regenerates the README's "Every transformers model type" table (between the model-types markers) from the registry,
# data/transformers_configs.json and the default-config sweep. usage: scripts/update_model_types_table.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
cmake --build "$build" --target model_types_table >/dev/null
table="$("$build/model_types_table" "$root/tests/data/sweep/transformers_defaults")"
python3 - "$root/README.md" "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
begin, end = "<!-- model-types:begin (scripts/update_model_types_table.sh) -->", "<!-- model-types:end -->"
a, b = text.index(begin) + len(begin), text.index(end)
open(path, "w").write(text[:a] + "\n" + table.rstrip("\n") + "\n" + text[b:])
PY
