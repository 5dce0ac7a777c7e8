FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=0
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 poppler-utils \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
# Translations (.mo) are committed. Static files are collected by deploy/start.sh at start, with
# the production settings (manifest), into STATIC_ROOT: a volume nginx serves.
RUN useradd --system --home /app khoithidua && mkdir -p /app/var && chown -R khoithidua /app/var
USER khoithidua
EXPOSE 8000
CMD ["deploy/start.sh"]
