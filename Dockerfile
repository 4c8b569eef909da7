# syntax=docker/dockerfile:1
# One image for every hirelog process: the API (gunicorn, the default command), `hirelog init`,
# `hirelog project` and `hirelog publish` (see docker-compose.yml). Configuration comes only from
# the environment (hirelog/settings.py): DATABASE_URL, HIRELOG_ID_KEY, ...
#
#   docker build -t hirelog .
#   docker run -e DATABASE_URL=postgresql://... -e HIRELOG_ID_KEY=... -p 8000:8000 hirelog

# --- build: the hirelog wheel (the source tree stays out of the final image) ---
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY api ./api
COPY domain ./domain
COPY hirelog ./hirelog
COPY projections ./projections
COPY cli ./cli
COPY audit ./audit
COPY storage ./storage
COPY demo ./demo
RUN pip wheel --no-cache-dir --disable-pip-version-check --no-deps --wheel-dir /wheels .

# --- runtime ---
FROM python:3.11-slim

# WEB_CONCURRENCY: gunicorn's own default for --workers.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WEB_CONCURRENCY=4

RUN groupadd --system --gid 10001 hirelog \
    && useradd --system --uid 10001 --gid hirelog --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin hirelog \
    && mkdir -p /app/var \
    && chown -R hirelog:hirelog /app
WORKDIR /app

# The whole dependency tree, pinned with hashes (requirements/app.txt, without the test and
# lint extras; scripts/lock.sh updates it), in a layer of its own: rebuilt only when the lock
# file changes.
COPY requirements/app.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore \
        --require-hashes -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# hirelog itself (packages api, domain, hirelog, projections and the `hirelog` command).
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore --no-deps \
        /tmp/wheels/*.whl \
    && pip check \
    && rm -rf /tmp/wheels

USER 10001:10001
EXPOSE 8000

# Liveness only (the process answers); docker-compose.yml checks /readyz (database) for the API
# and turns this check off for the processes that serve no HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Without --preload: each worker builds its application and database connections after the
# fork. Workers: WEB_CONCURRENCY (gunicorn reads it); more options: GUNICORN_CMD_ARGS.
CMD ["gunicorn", "-c", "python:hirelog.gunicorn_config", "--bind", "0.0.0.0:8000", "api:create_app()"]
