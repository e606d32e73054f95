# Make targets for the seed's habits. Each target calls ONE pnpm script: the gate list lives in
# tooling/gates/gates.ts (one source of truth); tooling/gates/makefile.test.ts checks that
# every target's command exists. `make help` lists them.
.PHONY: help gates lint format type test sbom scan \
	lint-python format-python type-python test-python \
	lint-go format-go type-go test-go \
	lint-ts type-ts test-ts lint-proto test-kit \
	scan-secrets scan-sast scan-deps

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

gates: ## every quality gate, one table (pnpm gates)
	pnpm gates
test: ## the whole suite (pnpm test)
	pnpm test
lint: lint-python lint-go lint-ts lint-proto ## every linter
format: format-python format-go ## apply formatters
type: type-python type-ts ## every type checker

lint-python: ## ruff check, ruff format --check, bandit
	pnpm gates python --only ruff,bandit
format-python: ## ruff check --fix, ruff format
	pnpm gates python --only ruff --fix
type-python: ## mypy --strict
	pnpm gates python --only mypy
test-python: ## pytest
	pnpm gates python --only pytest

lint-go: ## gofmt -l, go mod tidy -diff, go vet, staticcheck, golangci-lint, gosec
	pnpm gates go --only gofmt,tidy,vet,staticcheck,golangci-lint,gosec
format-go: ## gofmt -w, then the gofmt check
	pnpm gates go --only gofmt --fix
type-go: ## go vet (the compiler is Go's type checker)
	pnpm gates go --only vet
test-go: ## go test -race
	pnpm gates go --only race

lint-ts: ## tsc --noEmit
	pnpm gates ts --only tsc
type-ts: ## tsc --noEmit
	pnpm gates ts --only tsc
test-ts: ## vitest
	pnpm gates ts --only vitest

lint-proto: ## buf lint, buf breaking, codegen drift (a skipped row until proto/ has .proto files)
	pnpm gates proto
test-kit: ## actionlint, gitleaks, slides, kit verify
	pnpm gates kit

sbom: ## CycloneDX JSON for Node, Python, Go into dist/sbom/
	pnpm sbom
scan: scan-secrets scan-sast scan-deps ## secrets, SAST, dependency scan
scan-secrets: ## gitleaks over the tree and history
	pnpm scan secrets
scan-sast: ## bandit + gosec
	pnpm scan sast
scan-deps: ## pip-audit, govulncheck, osv-scanner (needs the network; exit 3 offline)
	pnpm scan deps
