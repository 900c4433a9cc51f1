# xtsync — run `make help` for the targets.
GO       ?= go
BIN      := bin/xtsync
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X github.com/xtsync/xtsync/internal/cli.Version=$(VERSION) -X github.com/xtsync/xtsync/internal/cli.Commit=$(COMMIT)
export GOFLAGS := -buildvcs=false

# The release and image binary: static (no cgo), -trimpath, stripped. The
# Dockerfile and the GitHub Action build it with this target.
STATIC_OUT ?= bin/xtsync-static
DIST_PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64

.PHONY: help build static dist test demo bench bench-e2e bench-compare fuzz lint golden clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

build: ## build bin/xtsync
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/xtsync

static: ## build the release binary $(STATIC_OUT): static, no cgo, -trimpath (the Dockerfile's and the Action's)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $(STATIC_OUT) ./cmd/xtsync

dist: ## release archives dist/xtsync_<version>_<os>_<arch>.tar.gz and dist/checksums.txt (what the Action installs)
	rm -rf dist && mkdir -p dist
	@set -e; v=$(VERSION); for p in $(DIST_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; d=dist/xtsync_$${v#v}_$${os}_$${arch}; exe=xtsync; \
	  [ $$os = windows ] && exe=xtsync.exe; \
	  GOOS=$$os GOARCH=$$arch $(MAKE) -s static STATIC_OUT=$$d/$$exe; \
	  cp README.md $$d/; tar -czf $$d.tar.gz -C $$d $$exe README.md; rm -rf $$d; \
	done; cd dist && sha256sum *.tar.gz > checksums.txt && cat checksums.txt

test: ## vet and run every test (the README's test command; .ci/run calls it)
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

demo: build ## the main job end to end on the example repository
	@./scripts/demo.sh $(BIN)

bench: ## run the benchmarks, BenchmarkBuiltinsManyConfigs (2,000 and 14,000 configurations) among them (see docs/benchmarks.md)
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-e2e: ## time xtsync simulate on 100k, 300k and 1M generated users (docs/benchmarks.md)
	@./scripts/bench-e2e.sh

bench-compare: ## xtsync simulate against DuckDB's bare scope join on the same 300k files (installs @duckdb/node-api)
	@./scripts/bench-compare.sh

fuzz: ## run each fuzz target for FUZZTIME (default 20s)
	@./scripts/fuzz.sh $(or $(FUZZTIME),20s)

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: ## gofmt, go vet and staticcheck
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

golden: ## rewrite golden files after an intended output change (then read the diff)
	$(GO) test -count=1 $$(grep -rl --include='*_test.go' 'flag.Bool("update"' . | xargs -n1 dirname | sort -u) -update

clean: ## remove build output
	rm -rf bin dist
