# syntax=docker/dockerfile:1
# ShowMeTheStock Billing: one image for the API server and the renewal worker.
#   docker build -t smts-billing .
#   server: docker run … smts-billing                  (node --import tsx src/http/server.ts)
#   worker: docker run … smts-billing node --import tsx src/worker/main.ts
# See docs/going-live.md.

# 1. Production dependencies only (tsx runs the TypeScript sources; no compile step).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# 2. Build the web app, with the dev dependencies (type checks run in CI).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY web ./web
COPY config ./config
RUN npm run build:web

# 3. Runtime: sources and dependencies owned by root (read-only to the service), run as `node`.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/app/.data
# Korean text in receipt PDFs (pdfkit embeds Noto Sans CJK KR; src/http/routes/payment/receipt-pdf.ts).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY config ./config
COPY --from=build /app/web/dist ./web/dist
# Only the embedded database's folder is writable (unused with DATABASE_URL).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (not npm): SIGTERM reaches the process, which shuts down gracefully.
CMD ["node", "--import", "tsx", "src/http/server.ts"]
