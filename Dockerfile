# Multi-stage build: a Node stage compiles the GOV.UK Frontend assets, a slim Python stage runs.
# Not built on the development machines (they have no Docker engine): see README, "Docker".

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts ./scripts
COPY app/assets ./app/assets
RUN npm run build

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VV_ENV=production
WORKDIR /srv/victim-voice
# Pango and a font: WeasyPrint renders the quarterly report PDF with them.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz0b libharfbuzz-subset0 libfontconfig1 libglib2.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system vv && useradd --system --gid vv --home /srv/victim-voice vv
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY question_banks ./question_banks
RUN pip install --no-cache-dir -e . && chown -R vv:vv /srv/victim-voice
COPY --from=assets --chown=vv:vv /build/app/static ./app/static
USER vv
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["victim-voice", "serve", "--host", "0.0.0.0", "--port", "8000"]
