# One image for every Leadline service; docker-compose picks the service with `command`.
# Multi-stage: dependencies and the web build in `build`, only production dependencies, the built
# web app and the service sources (run by tsx) in the slim runtime image, which runs as `node`.
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
RUN node scripts/ensure-web-build.mjs && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf web/src web/public test bench .ci \
 && find . -path ./node_modules -prune -o -name '*.spec.ts' -print | xargs rm -f

FROM node:20.19-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3001 3002 9464
STOPSIGNAL SIGTERM
CMD ["npm", "run", "start", "-w", "services/query"]
