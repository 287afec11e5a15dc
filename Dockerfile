# The joulebench CLI as an image: `docker build -t joulebench:0.1.0 .`, then
#   docker run --rm -v "$PWD:/work" -w /work joulebench:0.1.0 run scenarios/quick.yaml --shard auto/4
# CPU execution provider only: onnxruntime-node's install script (which would fetch the CUDA libraries from outside
# the npm registry) is skipped as in .ci/run. For GPUs, base both stages on an NVIDIA CUDA + cuDNN runtime image
# with Node 20 and drop ONNXRUNTIME_NODE_INSTALL=skip. docs/fleet.md says what of this file was run and what was not.

# Build stage: compile dist/ (npm ci runs the `prepare` script, tsc) and keep production dependencies only.
FROM node:20-bookworm-slim AS build
# better-sqlite3 (the history store) compiles from source when its prebuilt binary cannot be downloaded.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY schema ./schema
COPY scenarios ./scenarios
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: what package.json "files" publishes (bin, dist, schema, scenarios, scripts) and node_modules.
FROM node:20-bookworm-slim
WORKDIR /opt/joulebench
ENV NODE_ENV=production \
    JOULEBENCH_MODELS_DIR=/opt/joulebench/models \
    JOULEBENCH_CACHE_DIR=/tmp/joulebench-cache
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/schema ./schema
COPY --from=build /src/scenarios ./scenarios
COPY --from=build /src/scripts ./scripts
# The built-in models (mlp, cnn, transformer) are built into the image so every shard measures the same bytes.
RUN ln -s /opt/joulebench/bin/joulebench.js /usr/local/bin/joulebench \
 && joulebench --version \
 && joulebench models build
ENTRYPOINT ["joulebench"]
CMD ["--help"]
