#!/usr/bin/env bash
# Dependency rules that keep the layout honest:
#   - events/ imports only the standard library, so outside subscribers can use it.
#   - nothing imports a service's internals from outside that service.
set -euo pipefail
cd "$(dirname "$0")/.."

bad=$(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./events/... | grep -v '^github.com/careweave/careweave/events' || true)
if [ -n "$bad" ]; then
  echo "events/ must import only the standard library; it pulls in:"; echo "$bad"; exit 1
fi

if [ -d services ] && ls services/*/go.mod >/dev/null 2>&1; then
  for svc in services/*/; do
    name=$(basename "$svc")
    offenders=$(go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./services/... ./projections/... ./tools/... 2>/dev/null \
      | grep -v "^github.com/careweave/careweave/services/$name" | grep "services/$name/internal" || true)
    if [ -n "$offenders" ]; then echo "imports of services/$name internals from outside it:"; echo "$offenders"; exit 1; fi
  done
fi
echo "dependency rules hold"
