# Two entry points; each first makes sure .venv is complete (tools/setup_env.sh,
# idempotent: a second run takes under a second).
#   make test         the test suite (what CI runs)
#   make quickstart   synthetic data -> conversion -> training -> evaluation -> demo picture
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: env test quickstart clean-env

env:
	@VENV=$(VENV) bash tools/setup_env.sh

test: env
	$(PY) -m pytest tests -q

quickstart: env
	$(PY) tools/quickstart.py --work-dir work_dirs/quickstart

clean-env:
	rm -rf $(VENV)
