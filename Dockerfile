# syntax=docker/dockerfile:1
# One file, two images, one lockfile:
#   docker build --target api -t guestbook-api .   Node.js API (also serves nothing but /api and probes)
#   docker build --target web -t guestbook-web .   the built UI behind unprivileged nginx
# Base images are pinned by tag and digest; Renovate or Dependabot should keep them current.
ARG NODE_IMAGE=node:24-alpine@sha256:e67514e5d0f6c46656005e1b693b2ec9d52e80b641307de684d4a015ba7a4eaf
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.29-alpine@sha256:0c79d56aee561a1d81c63f00eee5fb5fe29279560cdc55e91425133104c7fbe6

# Every dependency, once, from the lockfile. The compilers are only for better-sqlite3,
# should no prebuilt binary match the platform.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apk add --no-cache python3 make g++
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json tsconfig.build.json vite.config.ts ./
COPY src ./src
RUN npm run build

FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS api
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/tmp/guestbook
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/api ./dist/api
COPY --from=build /app/dist/shared ./dist/shared
COPY package.json ./
# Numeric, so Kubernetes can verify runAsNonRoot; matches the backend's runAsUser.
USER 10001:10001
EXPOSE 8080
# node is PID 1 and handles SIGTERM itself (see src/api/server.ts): no npm, no shell. The V8
# flags bound the young generation (SERVER_NODE_FLAGS in scripts/lib/server-process.ts).
ENTRYPOINT ["node", "--max-semi-space-size=8", "dist/api/server.js"]

FROM ${NGINX_IMAGE} AS web
COPY nginx/default.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist/web /usr/share/nginx/html
# The image's nginx user; matches the frontend's runAsUser.
USER 101
EXPOSE 8080
