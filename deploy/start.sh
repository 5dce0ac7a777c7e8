#!/bin/sh
# The one production start path. The Dockerfile, docker-compose.yml and tests/deploy all run it:
#   1. migrate (and the cache table, if the cache is DatabaseCache);
#   2. collectstatic with the production settings (manifest + compressed files), failing loudly;
#   3. check --deploy: any warning stops the start;
#   4. gunicorn (exec: it receives the signals of the container).
# Environment: see README, "Triển khai". PYTHON and GUNICORN name the interpreters (default: the
# ones on PATH); BIND (0.0.0.0:8000), WEB_CONCURRENCY (4), GUNICORN_TIMEOUT (30) tune gunicorn.
# DEMO=1 loads the demo data (never in a real deployment). START_ONLY=1 skips steps 1-3 (a
# second server of the same release, once the first one has migrated and collected).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
GUNICORN="${GUNICORN:-gunicorn}"
export DEBUG="${DEBUG:-0}"
if [ "$DEBUG" != "0" ]; then
  echo "deploy/start.sh: DEBUG=$DEBUG; the production start path runs only with DEBUG=0" >&2
  exit 2
fi
if [ "${START_ONLY:-0}" != "1" ]; then
  "$PYTHON" manage.py migrate --noinput
  "$PYTHON" manage.py collectstatic --noinput -v0
  "$PYTHON" manage.py check --deploy --fail-level WARNING
  if [ "${DEMO:-0}" = "1" ]; then
    "$PYTHON" manage.py load_demo
  fi
fi
exec "$GUNICORN" khoithidua.wsgi \
  --bind "${BIND:-0.0.0.0:8000}" \
  --workers "${WEB_CONCURRENCY:-4}" \
  --timeout "${GUNICORN_TIMEOUT:-30}" \
  --graceful-timeout 10 \
  --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
  --access-logfile "${ACCESS_LOG:--}"
