# Shortcuts for the npm scripts, a persistent Azurite for manual testing, and the container images.
# `make` alone lists the targets.

.DEFAULT_GOAL := help
.PHONY: help dev test build lint typecheck test-env-start test-env-stop images compose-up compose-down

# Persistent Azurite for manual testing: data survives restarts; ports are the Azurite defaults.
TEST_ENV_DIR ?= .cloudo/test-env
AZURITE_BLOB_PORT ?= 10000
AZURITE_QUEUE_PORT ?= 10001
AZURITE_TABLE_PORT ?= 10002
AZURITE_START_TIMEOUT_S ?= 30

FUNCTIONS_IMAGE ?= cloudo-functions:local
WORKER_IMAGE ?= cloudo-worker:local

help: ## list the targets
	@echo 'usage: make TARGET'
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  %-16s %s\n", $$1, $$2 }'

dev: ## run the whole ClouDO locally on Azurite (npm start)
	npm start

test: ## run every test (npm test)
	npm test

build: ## compile to dist/ (npm run build)
	npm run build

lint: ## check formatting and lint rules (npm run lint)
	npm run lint

typecheck: ## type-check everything, tests included (npm run typecheck)
	npm run typecheck

# Started with nohup so it outlives this shell; the pid file is how test-env-stop finds it again.
test-env-start: ## start a background Azurite on ports 10000-10002; pid, log and connection string in .cloudo/test-env/
	@set -eu; dir='$(TEST_ENV_DIR)'; \
	if [ -f "$$dir/azurite.pid" ] && kill -0 "$$(cat "$$dir/azurite.pid")" 2>/dev/null; then \
	  echo "Azurite already running (pid $$(cat "$$dir/azurite.pid")): make test-env-stop first"; exit 0; \
	fi; \
	mkdir -p "$$dir/data"; \
	nohup node node_modules/azurite/dist/src/azurite.js \
	  --blobHost 127.0.0.1 --blobPort $(AZURITE_BLOB_PORT) \
	  --queueHost 127.0.0.1 --queuePort $(AZURITE_QUEUE_PORT) \
	  --tableHost 127.0.0.1 --tablePort $(AZURITE_TABLE_PORT) \
	  --location "$$dir/data" --disableTelemetry --skipApiVersionCheck --loose \
	  > "$$dir/azurite.log" 2>&1 < /dev/null & \
	pid=$$!; echo "$$pid" > "$$dir/azurite.pid"; \
	tries=$$(( $(AZURITE_START_TIMEOUT_S) * 5 )); \
	until [ "$$(grep -c 'successfully listening' "$$dir/azurite.log" || true)" -ge 3 ]; do \
	  if ! kill -0 "$$pid" 2>/dev/null || [ "$$tries" -le 0 ]; then \
	    echo "Azurite did not start (a port in use? override AZURITE_BLOB_PORT/_QUEUE_PORT/_TABLE_PORT):" >&2; \
	    cat "$$dir/azurite.log" >&2; kill "$$pid" 2>/dev/null || true; rm -f "$$dir/azurite.pid"; exit 1; \
	  fi; \
	  tries=$$((tries - 1)); sleep 0.2; \
	done; \
	conn=$$(node --import tsx -e "import('./src/local/azurite.ts').then((m) => console.log(m.azuriteConnectionString({ blob: $(AZURITE_BLOB_PORT), queue: $(AZURITE_QUEUE_PORT), table: $(AZURITE_TABLE_PORT) })))"); \
	printf '%s\n' "$$conn" > "$$dir/connection-string"; \
	printf "export AzureWebJobsStorage='%s'\n" "$$conn" > "$$dir/env"; \
	echo "Azurite running (pid $$pid), data in $$dir/data, log in $$dir/azurite.log"; \
	echo "  use it:  . $$dir/env     (sets AzureWebJobsStorage)"; \
	echo "  stop it: make test-env-stop"

test-env-stop: ## stop the background Azurite started by test-env-start (its data is kept)
	@set -eu; dir='$(TEST_ENV_DIR)'; \
	if [ ! -f "$$dir/azurite.pid" ]; then echo "no $$dir/azurite.pid: nothing to stop"; exit 0; fi; \
	pid=$$(cat "$$dir/azurite.pid"); \
	if ! ps -p "$$pid" -o args= 2>/dev/null | grep -q azurite; then \
	  echo "pid $$pid is not Azurite any more: removing the stale pid file"; \
	  rm -f "$$dir/azurite.pid" "$$dir/connection-string" "$$dir/env"; exit 0; \
	fi; \
	kill -INT "$$pid"; \
	tries=50; \
	while kill -0 "$$pid" 2>/dev/null && [ "$$tries" -gt 0 ]; do tries=$$((tries - 1)); sleep 0.2; done; \
	if kill -0 "$$pid" 2>/dev/null; then echo "Azurite ignored SIGINT for 10 s: killing it"; kill -KILL "$$pid"; fi; \
	rm -f "$$dir/azurite.pid" "$$dir/connection-string" "$$dir/env"; \
	echo "Azurite (pid $$pid) stopped; data kept in $$dir/data"

images: ## build both container images (needs a Docker engine)
	docker build -t $(FUNCTIONS_IMAGE) -f Dockerfile .
	docker build -t $(WORKER_IMAGE) -f workers/Dockerfile .

compose-up: ## start Azurite, the Functions app (:7071) and a worker in containers
	docker compose up --build --detach
	@echo "ClouDO is starting on http://localhost:7071 (docker compose logs -f to watch)"

compose-down: ## stop the containers (Azurite's data volume is kept; docker compose down -v drops it)
	docker compose down
