# One image for the production-like stack: gunicorn by default; the worker and beat override the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app portal

# The lock first: code changes do not reinstall the dependencies.
COPY requirements.lock ./
RUN pip install --no-deps -r requirements.lock

COPY . .

# Static files are collected with production settings (manifest storage); the values
# below only let the settings import at build time and never reach the running image.
RUN PORTAL_ENV=production \
    SECRET_KEY=build-time-placeholder-not-a-secret-0123456789abcdef \
    ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@build/build \
    REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput \
 && mkdir -p var/media /var/lib/celery \
 && chown -R portal:portal var /var/lib/celery

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
