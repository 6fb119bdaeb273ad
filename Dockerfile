# syntax=docker/dockerfile:1
# Leasetrail's production image: exactly the artefact `npm run build` assembles (.next/standalone) and the
# tests start, with production dependencies only, run as a non-root user on a read-only root filesystem.

FROM node:20-bookworm-slim AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.mjs scripts/prisma-generate.mjs
COPY prisma prisma
COPY prisma.config.ts ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY --from=build /src/.next/standalone/package.json /src/.next/standalone/package-lock.json ./
RUN npm install --omit=dev --omit=peer --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 HOST=0.0.0.0 PORT=3000 LEASETRAIL_DATA_DIR=/tmp/leasetrail
WORKDIR /app
RUN groupadd --system --gid 10001 leasetrail && useradd --system --uid 10001 --gid leasetrail --no-create-home --shell /usr/sbin/nologin leasetrail
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /src/.next/standalone ./
# Next writes its cache here at run time: mount an emptyDir over it when the root filesystem is read-only.
RUN mkdir -p .next/cache && chown leasetrail:leasetrail .next/cache
USER 10001:10001
EXPOSE 3000 9464
CMD ["node", "dist/start.cjs"]
