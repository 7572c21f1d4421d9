# One image for web, worker and beat, built from the same lock files as `make run`.

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/src static/src
RUN npx sass --pkg-importer=node --style=compressed --no-source-map --quiet-deps \
        static/src/app.scss static/dist/app.css \
    && cp -r node_modules/govuk-frontend/dist/govuk/assets static/dist/assets \
    && rm -rf static/dist/assets/fonts \
    && npx esbuild static/src/app.mjs --bundle --minify --format=esm --target=es2020 \
        --log-level=warning --outfile=static/dist/app.js

FROM python:3.12-slim-bookworm
# pg_dump and pg_restore for manage.py backup and restore: from the PostgreSQL project's apt
# repository (Debian's are 15), of the server's major version (compose runs postgres:16) or newer.
ARG POSTGRES_MAJOR=16
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-${POSTGRES_MAJOR} \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.9 \
    && useradd --create-home --uid 1000 collaborate
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
COPY --from=assets /build/static/dist static/dist
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --no-input -v0 \
    && mkdir -p /data/media && chown -R collaborate /data
USER collaborate
EXPOSE 8000
# Bind, workers, timeouts and request limits: gunicorn.conf.py (each from the environment).
CMD ["gunicorn", "--config=gunicorn.conf.py", "collaborate.wsgi:application"]
