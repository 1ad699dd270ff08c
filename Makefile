# Concord: `make run` and `make test` work on a fresh machine; they install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench samples system-run system-test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

system-run:
	bash deps/install-system.sh deps/apt-run.txt

system-test:
	bash deps/install-system.sh deps/apt-run.txt deps/apt-test.txt

run: $(STAMP) system-run
	$(PY) -m addin.cli run

test: $(STAMP) system-test
	$(PY) -m pytest

bench: $(STAMP) system-run
	$(PY) -m bench

samples: system-run
	/usr/bin/python3 samples/generate.py

clean:
	rm -rf $(VENV) instance out
