# Plan Map: `make run` serves the app, `make test` runs every test. Both set everything up from nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
ADDRESS ?= localhost

.PHONY: run test install install-test system-deps bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Debian packages: Chromium for the browser tests, a CJK font for report maps, GDAL's ogrinfo for export checks.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! command -v ogrinfo >/dev/null; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk gdal-bin; \
	fi

run: install system-deps
	$(VENV)/bin/streamlit run server.py --server.port $(PORT) --server.address $(ADDRESS) --server.headless true

test: install system-deps
	$(PY) -m pytest -q

bench: install system-deps
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache
