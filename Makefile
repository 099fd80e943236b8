# Shortcuts for the npm scripts, the whole stack in the background for manual testing, and the container images.
# `make` alone lists the targets.

.DEFAULT_GOAL := help
.PHONY: help dev test build lint typecheck test-env-start test-env-stop images compose-up compose-down

# The background test environment (scripts/test-env.sh): the whole `npm start` stack, detached from the shell.
# Azurite's ports are fixed (its defaults) so other tools can reach it; 0 picks free ones.
TEST_ENV_DIR ?= .cloudo/test-env
PORT ?= 7071
AZURITE_BLOB_PORT ?= 10000
AZURITE_QUEUE_PORT ?= 10001
AZURITE_TABLE_PORT ?= 10002
TEST_ENV_START_TIMEOUT_S ?= 120
TEST_ENV_STOP_GRACE_S ?= 45
TEST_ENV_VARS = TEST_ENV_DIR='$(TEST_ENV_DIR)' PORT='$(PORT)' AZURITE_BLOB_PORT='$(AZURITE_BLOB_PORT)' \
  AZURITE_QUEUE_PORT='$(AZURITE_QUEUE_PORT)' AZURITE_TABLE_PORT='$(AZURITE_TABLE_PORT)' \
  TEST_ENV_START_TIMEOUT_S='$(TEST_ENV_START_TIMEOUT_S)' TEST_ENV_STOP_GRACE_S='$(TEST_ENV_STOP_GRACE_S)'

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

test-env-start: ## start the whole stack in the background (:7071, Azurite 10000-10002); pid, log, data in .cloudo/test-env/
	@$(TEST_ENV_VARS) scripts/test-env.sh start

test-env-stop: ## stop the background stack (SIGTERM to its process group, SIGKILL after a grace); data is kept
	@$(TEST_ENV_VARS) scripts/test-env.sh stop

images: ## build both container images (needs a Docker engine)
	docker build -t $(FUNCTIONS_IMAGE) -f Dockerfile .
	docker build -t $(WORKER_IMAGE) -f workers/Dockerfile .

compose-up: ## start Azurite, the Functions app (:7071) and a worker in containers
	docker compose up --build --detach
	@echo "ClouDO is starting on http://localhost:7071 (docker compose logs -f to watch)"

compose-down: ## stop the containers (Azurite's data volume is kept; docker compose down -v drops it)
	docker compose down
