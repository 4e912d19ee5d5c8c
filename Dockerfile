# One image for every Leadline service; docker-compose picks the service with `command`.
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY packages/platform/package.json packages/platform/
COPY packages/eventstore/package.json packages/eventstore/
COPY packages/testing/package.json packages/testing/
COPY packages/datagen/package.json packages/datagen/
COPY services/command/package.json services/command/
COPY services/projector/package.json services/projector/
COPY services/query/package.json services/query/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/ensure-web-build.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:20.19-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3001 3002 9464
CMD ["npm", "run", "start", "-w", "services/query"]
