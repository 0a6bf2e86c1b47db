# syntax=docker/dockerfile:1
#
# Wraparound production image.
#   docker build -t wraparound .
# Three stages: front-end assets (npm), Python install (pip), and a slim runtime that runs as
# a non-root user. docker-compose.yml shows how the pieces run together.

# --- 1. Front-end assets: GOV.UK Frontend and htmx from npm, our Sass compiled to CSS --------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/ static/
RUN npm run build


# --- 2. Python: install Wraparound and its dependencies into a virtualenv --------------------
FROM python:3.11-slim AS python
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# pyproject.toml (hatchling) decides what goes into the wheel; .dockerignore keeps tests,
# virtualenvs, node_modules and local state out of the build context.
COPY . .
RUN pip install .


# --- 3. Runtime ------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

# The app reads templates/, static/ and node_modules/*/dist from its working directory (/app),
# and /app on PYTHONPATH makes every package import from the same tree as those files.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WRAPAROUND_ENV=production \
    WRAPAROUND_VAR_DIR=/app/var \
    HOST=0.0.0.0 \
    PORT=8000

# pg_dump / pg_restore / psql for `wraparound backup` and the worker's daily backup, from
# PostgreSQL's own Debian repository: pg_dump must be at least the server's major version
# (docker-compose.yml runs 16), and Debian's own client may be older.
ARG POSTGRES_CLIENT=16
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && . /etc/os-release \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-${POSTGRES_CLIENT} \
 && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 wraparound \
 && useradd --system --uid 10001 --gid wraparound --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin wraparound

WORKDIR /app
COPY --from=python /opt/venv /opt/venv
# Source, templates and static files: owned by root, read-only to the app user.
COPY --from=python /src /app
COPY --from=assets /build/static/build /app/static/build
COPY --from=assets /build/node_modules/govuk-frontend/dist /app/node_modules/govuk-frontend/dist
COPY --from=assets /build/node_modules/htmx.org/dist /app/node_modules/htmx.org/dist
# var/ is the only place the app may write (SQLite file and generated key when used outside
# compose; with PostgreSQL and SECRET_KEY set it stays empty).
RUN mkdir -p /app/var && chown wraparound:wraparound /app/var && chmod 0700 /app/var

USER wraparound
EXPOSE 8000

# No curl in slim images: ask /healthz with Python. 200 = healthy; 503 or no answer = unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)" || exit 1

CMD ["wraparound", "serve"]
