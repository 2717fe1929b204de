# Two entry points; each first makes sure .venv is complete (tools/setup_env.sh,
# idempotent: a second run takes under a second).
#   make test         style checks (flake8, isort: MMPose's pre-commit) and the test suite (what CI runs)
#   make quickstart   synthetic data -> conversion -> training -> evaluation -> demo picture
#   make bundled-model  the hand model shipped in mmpose_mlehand/bundled/ (synthetic data only;
#                       BUNDLED=mlehand-synthetic-hand-small for the half-width one)
VENV ?= .venv
PY := $(VENV)/bin/python
BUNDLED ?= mlehand-synthetic-hand

.PHONY: env test lint quickstart bundled-model clean-env

env:
	@VENV=$(VENV) bash tools/setup_env.sh

LINTED := mmpose_mlehand configs tools tests setup.py

test: env lint
	$(PY) -m pytest tests -q

lint: env
	$(PY) -m flake8 $(LINTED)
	$(PY) -m isort --check-only --diff $(LINTED)

quickstart: env
	$(PY) tools/quickstart.py --work-dir work_dirs/quickstart

bundled-model: env
	$(PY) tools/train_bundled_model.py --model $(BUNDLED)

clean-env:
	rm -rf $(VENV)
