# Two entry points; each first makes sure .venv is complete (tools/setup_env.sh,
# idempotent: a second run takes under a second).
#   make test         style checks (flake8, isort: MMPose's pre-commit) and the test suite (what CI runs)
#   make quickstart   synthetic data -> conversion -> training -> evaluation -> demo picture
#   make bundled-model  the default hand model shipped in mmpose_mlehand/bundled/ (synthetic data
#                       only; BUNDLED=mlehand-synthetic-hand-small for the half-width one;
#                       run it again after an interruption to resume)
#   make bundled-detector  the hand detector shipped in mmpose_mlehand/bundled/ (synthetic
#                       scenes only; two runs of 5 epochs, the second from the weights
#                       the first bundled; run it again after an interruption to resume)
VENV ?= .venv
PY := $(VENV)/bin/python
# Empty: the tool's default model (mmpose_mlehand.bundled.DEFAULT_MODEL).
BUNDLED ?=

.PHONY: env test lint quickstart bundled-model bundled-detector clean-env

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
	$(PY) tools/train_bundled_model.py $(if $(BUNDLED),--model $(BUNDLED))

DETECTOR_DIR ?= work_dirs/bundled/mlehand-hand-detector
bundled-detector: env
	$(PY) tools/train_bundled_detector.py --work-dir $(DETECTOR_DIR)/run1
	mkdir -p $(DETECTOR_DIR)/run2 && ln -sfn ../run1/data $(DETECTOR_DIR)/run2/data
	$(PY) tools/train_bundled_detector.py --work-dir $(DETECTOR_DIR)/run2 --epochs 5 \
	    --load-from mmpose_mlehand/bundled/rtmdet-nano_synthetic-scenes-320x320.pth

clean-env:
	rm -rf $(VENV)
