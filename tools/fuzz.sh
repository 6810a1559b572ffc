#!/usr/bin/env bash
# Runs every Go fuzz target in the workspace for the given time each.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-30s}
for mod in $(ls */go.mod | xargs -n1 dirname); do
  grep -rl --include='*_test.go' '^func Fuzz' "$mod" | xargs -r -n1 dirname | sort -u | while read -r dir; do
    for target in $(grep -h '^func Fuzz' "$dir"/*_test.go | sed -E 's/func (Fuzz[A-Za-z0-9_]*).*/\1/'); do
      echo "== $dir $target ($fuzztime)"
      go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "./$dir"
    done
  done
done
