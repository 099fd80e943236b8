# Shortcuts for the npm scripts, the whole stack in the background for manual testing, and the container images.
# `make` alone lists the targets.

.DEFAULT_GOAL := help
.PHONY: help dev test build lint typecheck test-env-start test-env-stop images push compose-up compose-down

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

# Container images: `make images` builds both, tagged with the commit and latest; `make push REGISTRY=...`
# builds, tags them for the registry and pushes both tags (log in first: az acr login --name myregistry).
FUNCTIONS_IMAGE_NAME ?= cloudo-functions
WORKER_IMAGE_NAME ?= cloudo-worker
ifeq ($(origin IMAGE_TAG),undefined)
IMAGE_TAG := $(shell git rev-parse --short HEAD 2>/dev/null)
endif
REGISTRY ?=
IMAGE_TAGS = $(IMAGE_TAG) latest
REGISTRY_PREFIX = $(patsubst %/,%,$(strip $(REGISTRY)))/
# $(call push-image,NAME,TAG): two recipe lines, the local image tagged for the registry, then pushed
define push-image
docker tag $(1):$(2) $(REGISTRY_PREFIX)$(1):$(2)
docker push $(REGISTRY_PREFIX)$(1):$(2)
endef

# checked when make reads the file, so a forgotten REGISTRY fails before minutes of building
ifneq ($(filter push,$(MAKECMDGOALS)),)
ifeq ($(strip $(REGISTRY)),)
$(error make push needs REGISTRY, the registry to push to: make push REGISTRY=myregistry.azurecr.io)
endif
endif
ifneq ($(filter images push,$(MAKECMDGOALS)),)
ifeq ($(strip $(IMAGE_TAG)),)
$(error no IMAGE_TAG: not a git checkout (git rev-parse --short HEAD failed); set IMAGE_TAG)
endif
endif

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

images: ## build both container images, tagged with the commit (git rev-parse --short HEAD) and latest (needs Docker)
	docker build $(foreach t,$(IMAGE_TAGS),-t $(FUNCTIONS_IMAGE_NAME):$(t)) -f Dockerfile .
	docker build $(foreach t,$(IMAGE_TAGS),-t $(WORKER_IMAGE_NAME):$(t)) -f workers/Dockerfile .

push: images ## build, tag and push both images to REGISTRY (make push REGISTRY=myregistry.azurecr.io)
	$(call push-image,$(FUNCTIONS_IMAGE_NAME),$(IMAGE_TAG))
	$(call push-image,$(FUNCTIONS_IMAGE_NAME),latest)
	$(call push-image,$(WORKER_IMAGE_NAME),$(IMAGE_TAG))
	$(call push-image,$(WORKER_IMAGE_NAME),latest)
	@echo "pushed $(REGISTRY_PREFIX)$(FUNCTIONS_IMAGE_NAME):$(IMAGE_TAG) and $(REGISTRY_PREFIX)$(WORKER_IMAGE_NAME):$(IMAGE_TAG)"

compose-up: ## start Azurite, the Functions app (:7071) and a worker in containers
	docker compose up --build --detach
	@echo "ClouDO is starting on http://localhost:7071 (docker compose logs -f to watch)"

compose-down: ## stop the containers (Azurite's data volume is kept; docker compose down -v drops it)
	docker compose down
