# syntax=docker/dockerfile:1
# Production image: the CSS is built in a Node stage, the app runs on a slim
# Python image as a non-root user, with static files collected at build time.
# One image, two processes: the site (the default command) and the task worker.

# --- Stage 1: compile GOV.UK Frontend with our settings ----------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/scss static/scss
RUN mkdir -p static/build/assets \
    && npm run --silent build:css \
    && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/build/ \
    && cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.* static/build/ \
    && cp -R node_modules/govuk-frontend/dist/govuk/assets/images static/build/assets/images

# --- Stage 2: the application -----------------------------------------------
FROM python:3.12-slim-bookworm AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN groupadd --system lgdss && useradd --system --gid lgdss --home-dir /app lgdss

COPY pyproject.toml ./
RUN pip install "pip>=25.1" && pip install --group runtime

COPY --chown=lgdss:lgdss . .
COPY --from=assets --chown=lgdss:lgdss /build/static/build static/build

# collectstatic needs settings but no real secret or database.
RUN SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret \
    python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p var && chown lgdss:lgdss var

USER lgdss
EXPOSE 8000
# Liveness only: /healthz/ready, which also asks the database, is for load balancers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# The web process. The task worker, which sends the emails, runs from this same image
# as a second container with the same environment, and without the health check
# above (which asks the web process):
#   docker run --no-healthcheck --env-file lgdss.env IMAGE python manage.py db_worker
CMD ["gunicorn", "--config", "gunicorn.conf.py", "lgdss.wsgi"]
