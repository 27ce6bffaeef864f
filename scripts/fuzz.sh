#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang with ASan + UBSan) and runs each briefly on its seed corpus.
# Usage: scripts/fuzz.sh [BUILD_DIR] [SECONDS_PER_TARGET]. Exits 77 (skipped) when clang++ is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/fuzz}
secs=${2:-5}
command -v clang++ >/dev/null || { echo "fuzz: clang++ not found, skipped"; exit 77; }
cmake -S "$root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" -j "${JOBS:-2}" >/dev/null
for t in safetensors gguf config text plain_json; do
  work=$(mktemp -d)  # inputs found while fuzzing land here; the committed seed corpus stays unchanged
  status=0
  "$build/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
    -artifact_prefix="$build/crash-$t-" "$work" "$root/fuzz/corpus/$t" >"$build/fuzz_$t.log" 2>&1 || status=$?
  rm -rf "$work"
  if [ "$status" -ne 0 ]; then
    tail -40 "$build/fuzz_$t.log"
    echo "fuzz: $t FAILED (exit $status); reproducer in $build/crash-$t-*"
    exit 1
  fi
  echo "fuzz: $t ok ($(grep -o 'Done [0-9]* runs' "$build/fuzz_$t.log" | tail -1))"
done
