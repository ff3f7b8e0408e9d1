# Image of the ecommerce-source Airbyte connector.
#
#   docker build -t ecommerce-source:dev .
#   docker run --rm ecommerce-source:dev spec
#   docker run --rm -v "$PWD/secrets:/secrets" ecommerce-source:dev check --config /secrets/config.json
#
# Stage 1 compiles the TypeScript; stage 2 holds production dependencies, the
# compiled code, the launcher and the resources only (no sources, tests,
# sandbox or benchmark). test/docker-runtime.test.ts reproduces stage 2 without
# a Docker engine by reading the COPY lines below: keep one source per line.

FROM node:20-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY bin ./bin
COPY resources ./resources
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /home/node/airbyte
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /build/lib ./lib
COPY --from=build /build/bin ./bin
COPY --from=build /build/resources ./resources

LABEL io.airbyte.name="ecommerce-source"
LABEL io.airbyte.version="0.1.0"

ENV AIRBYTE_ENTRYPOINT="/home/node/airbyte/bin/main"
ENTRYPOINT ["/home/node/airbyte/bin/main"]

# The code stays owned by root (read-only to the connector); the connector
# itself runs unprivileged.
USER node
