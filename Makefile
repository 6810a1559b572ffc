# Careweave: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go

# Every module in the workspace (directories with a go.mod).
MODULES := $(patsubst %/go.mod,%,$(wildcard */go.mod))
PKGS    := $(addsuffix /...,$(addprefix ./,$(MODULES)))

.PHONY: run test bench crashtest lint fuzz help

help: ## list targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

run: ## start the dev stack: embedded NATS, PostgreSQL (DATABASE_URL or a private cluster), every service
	$(GO) run ./tools/cmd/careweave-dev

test: ## all tests with -race against real PostgreSQL and NATS (private, throwaway)
	$(GO) run ./tools/cmd/testenv -- $(GO) test -race -count=1 -timeout 15m $(PKGS)

bench: ## Go benchmarks and the load generator on a durable private cluster; see docs/benchmarks.md
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	$(GO) run ./tools/cmd/testenv -durable -- $(GO) run ./tools/cmd/writebench
	$(GO) run ./tools/cmd/testenv -durable -- $(GO) run ./tools/cmd/readbench
	$(GO) run ./tools/cmd/crashtest -victims "" -baselines 20s -rate 0 -workers 64 -duration 5m -patients 5000 -out var/e2e-bench.json -- -warmup 30s -catch-up 15m

crashtest: ## kill -9 every kind of process under load, restart it, and verify nothing was lost or repeated
	$(GO) run ./tools/cmd/crashtest -duration 5m -rate 100 -patients 5000 -kill-every 50s -- -catch-up 10m

lint: ## gofmt, go vet, staticcheck, and the dependency rules
	@unformatted=$$(gofmt -l $(MODULES)); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)
	@bash tools/check-deps.sh

fuzz: ## run each fuzz target for a while (FUZZTIME=30s)
	@bash tools/fuzz.sh $${FUZZTIME:-30s}
