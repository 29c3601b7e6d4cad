# The gateway and worker image for docker-compose.yml: Node 24 runs the TypeScript directly.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Install scripts are skipped: the image needs neither the embedded PostgreSQL nor the Temporal CLI.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY . .
USER node
EXPOSE 3000
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=256", "scripts/gateway.ts"]
