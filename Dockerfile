# syntax=docker/dockerfile:1
#
# ClouDO Functions app image (HTTP API, webhooks, web console) on the Azure Functions host.
#
#   docker build -t cloudo-functions:local .
#   docker run --rm -p 7071:80 -e AzureWebJobsStorage=... cloudo-functions:local
#
# The worker image is workers/Dockerfile; both build from the repo root with the same .dockerignore.

# The build runs on the same Node major as the Functions image below, on a plain Debian Node image: the
# Functions image carries the host, not npm tooling we want to depend on.
ARG NODE_IMAGE=node:22-bookworm-slim
ARG FUNCTIONS_IMAGE=mcr.microsoft.com/azure-functions/node:4-node22

# ---------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------------------
FROM ${FUNCTIONS_IMAGE}

# The host loads the app from the script root: host.json there, and package.json whose "main"
# (dist/src/index.js) registers every function. Console logging makes `docker logs` show invocations.
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    FUNCTIONS_WORKER_RUNTIME=node \
    NODE_ENV=production

WORKDIR /home/site/wwwroot
COPY host.json ./
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The base image's entrypoint starts the Functions host, listening on port 80 (publish it as 7071 locally).
EXPOSE 80
