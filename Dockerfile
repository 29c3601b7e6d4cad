# The gateway and worker image for docker-compose.yml. The gateway runs compiled (`npm run build`, in a
# stage of its own, which has the compiler); the worker and the one-off scripts run the TypeScript directly.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Install scripts are skipped: the image needs neither the embedded PostgreSQL nor the Temporal CLI.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY . .
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "--max-semi-space-size=6", "--max-old-space-size=256", "--no-maglev", "dist/scripts/gateway.js"]
