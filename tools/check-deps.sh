#!/usr/bin/env bash
# Dependency rules that keep the layout honest:
#   - events/ imports only the standard library, so outside subscribers can use it.
#   - domain packages import only the standard library, events/ and kit/domain.
set -euo pipefail
cd "$(dirname "$0")/.."

bad=$(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./events/... | grep -v '^github.com/careweave/careweave/events' || true)
if [ -n "$bad" ]; then
  echo "events/ must import only the standard library; it pulls in:"; echo "$bad"; exit 1
fi

# Domain code imports only the standard library, the event contracts and
# kit/domain's error types (STYLE.md rule 1).
for dom in services/*/internal/domain; do
  [ -d "$dom" ] || continue
  bad=$(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' "./$dom" \
    | grep -v -E '^github.com/careweave/careweave/(events(/[a-z]+)?|kit/domain|services/[a-z]+/internal/domain)$' || true)
  if [ -n "$bad" ]; then
    echo "$dom must import only the standard library, events/ and kit/domain; it pulls in:"; echo "$bad"; exit 1
  fi
done

# Go's internal rule keeps services out of each other's internals; services
# talk through events (and the registry's HTTP API).
echo "dependency rules hold"
