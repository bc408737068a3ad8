# natsgate: build with dev dependencies, run on a slim image with production dependencies only.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
RUN mkdir -p /data && chown -R node:node /data /app
USER node
VOLUME ["/data"]
# client, monitoring, websocket, mqtt
EXPOSE 4222 8222 8080 1883
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["-c", "config/natsgate.conf", "-sd", "/data"]
