# khoithidua: two commands for a new user: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Local runs use DEBUG and the embedded SQLite database unless told otherwise.
RUN_ENV := DEBUG=$${DEBUG:-1}

.PHONY: run test venv install migrate demo lint fmt messages clean-db check lock

# Dependencies are pinned with hashes: requirements.lock (runtime, what the Docker image installs)
# and requirements-dev.lock (runtime + tests and tools). pyproject.toml keeps the compatible
# ranges; `make lock` re-resolves both files from it.
$(VENV)/.installed: requirements-dev.lock
	@py=$$(PYTHON="$(PYTHON)" ./scripts/find-python.sh) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "→ Tạo môi trường ảo bằng $$py"; "$$py" -m venv $(VENV) || exit 1; fi
	@$(PY) -m pip install --quiet --upgrade pip
	@echo "→ Cài đặt thư viện (requirements-dev.lock)"
	@$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $@

lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.12 -q -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.12 -q -o requirements-dev.lock

venv install: $(VENV)/.installed

migrate: install
	@mkdir -p var
	@$(RUN_ENV) $(PY) manage.py migrate --noinput -v0

demo: migrate
	@$(RUN_ENV) $(PY) manage.py load_demo

run: demo
	@echo "→ Mở http://$(HOST):$(PORT)/ (Ctrl+C để dừng)"
	@$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Tests run in PYTEST_WORKERS parallel processes (pytest-xdist; 0 = one process), each test file
# on one worker (its module fixtures, e.g. one Chromium, are built once). Each worker has its own
# database (test_<name>_gw0, …), media directory and ports. Local runs may add --reuse-db.
# Files go out longest first (tests/durations.json, see tests/conftest.py), in that order.
PYTEST_WORKERS ?= 2
test: install
	@mkdir -p var
	@$(PY) manage.py makemigrations --check --dry-run -v0 --settings=khoithidua.settings_test
	@$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

fmt: install
	@$(VENV)/bin/ruff format .

messages: install
	@DEBUG=1 $(PY) manage.py makemessages -l en --ignore=.venv --ignore=var -v0
	@DEBUG=1 $(PY) manage.py compilemessages -l en -v0 --ignore=.venv

clean-db:
	rm -f var/khoithidua.sqlite3
