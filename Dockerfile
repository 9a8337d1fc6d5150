# The project image: worker, Prefect server and demo market of docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SNEAKER_CHROMIUM=/usr/bin/chromium \
    SNEAKER_DATA_DIR=/data \
    SNEAKER_PROJECT_DIR=/app \
    PREFECT_SERVER_ANALYTICS_ENABLED=false

# Debian's Chromium for browser-mode scraping (Playwright drives it via SNEAKER_CHROMIUM), fonts for reports.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first (cached while only code changes; the dask extra for `--task-runner dask`), then the code,
# installed editable so that deployment pull steps (`set_working_directory: /app`) and the installed packages are
# the same files.
COPY pyproject.toml ./
RUN mkdir -p sneaker_core sneaker_cli tasks flows deployments \
 && touch README.md sneaker_core/__init__.py sneaker_cli/__init__.py tasks/__init__.py flows/__init__.py \
          deployments/__init__.py \
 && pip install -e '.[dask]' \
 && rm -rf sneaker_core sneaker_cli tasks flows deployments
COPY . .
RUN pip install --no-deps -e . \
 && useradd --create-home --uid 1000 sneaker \
 && mkdir -p /data && chown sneaker /data
USER sneaker
VOLUME ["/data"]

CMD ["prefect", "worker", "start", "--pool", "sneaker-pool", "--type", "process"]
