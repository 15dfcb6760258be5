# syntax=docker/dockerfile:1
# One file, two images, one lockfile:
#   docker build --target api -t guestbook-api .   Node.js API (also serves nothing but /api and probes)
#   docker build --target web -t guestbook-web .   the built UI behind unprivileged nginx
# Base images are pinned by exact tag and multi-arch index digest; Renovate moves both
# together (renovate.json5; what each is and why: docs/dependencies.md).
ARG NODE_IMAGE=node:24.21.0-alpine@sha256:ebfe2f90462722a7a4de65e91990e97fe0d401c70e0e762c5b53302f905ec1c1
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.30.5-alpine@sha256:4714e0b1b2577eaa1a6131d07c958b67f0eb68e6d0521e90c6e5287db8cf0bc5

# Every dependency, once, from the lockfile. The compilers are only for better-sqlite3,
# should no prebuilt binary match the platform.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apk add --no-cache python3 make g++
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json vite.config.ts vite.api.config.ts ./
COPY src ./src
RUN npm run build

# package.json's dependencies are only what the API's bundle leaves out (better-sqlite3, the
# MongoDB driver): 17 packages, about 37 MiB, instead of every library the bundle already holds.
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS api
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/tmp/guestbook
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
# The API is one bundle (vite.api.config.ts); node_modules holds what it loads at run time:
# SQLite's native addon and the MongoDB driver.
COPY --from=build /app/dist/api ./dist/api
COPY package.json ./
# Numeric, so Kubernetes can verify runAsNonRoot; matches the backend's runAsUser.
USER 10001:10001
EXPOSE 8080
# node is PID 1 and handles SIGTERM itself (see src/api/server.ts): no npm, no shell. The V8
# flags bound the young generation (SERVER_NODE_FLAGS in scripts/lib/server-process.ts).
ENTRYPOINT ["node", "--max-semi-space-size=8", "dist/api/server.js"]

FROM ${NGINX_IMAGE} AS web
# Our own main configuration (fixed worker count, pid and temp files under /tmp) and the site.
COPY nginx/nginx.conf /etc/nginx/nginx.conf
COPY nginx/default.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist/web /usr/share/nginx/html
# The image's nginx user; matches the frontend's runAsUser.
USER 101
EXPOSE 8080
