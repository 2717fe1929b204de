# Two entry points; each first makes sure .venv is complete (tools/setup_env.sh,
# idempotent: a second run takes under a second).
#   make test         style checks (flake8, isort: MMPose's pre-commit) and the test suite (what CI runs)
#   make quickstart   synthetic data -> conversion -> training -> evaluation -> demo picture
#   make bundled-model  the default hand model shipped in mmpose_mlehand/bundled/ (synthetic data
#                       only; BUNDLED=mlehand-synthetic-hand-small for the half-width one;
#                       run it again after an interruption to resume)
#   make bundled-detector  the hand detector shipped in mmpose_mlehand/bundled/ (synthetic
#                       scenes only; four runs, each from the weights the one before
#                       bundled: 5 + 5 epochs of the plain recipe, 5 + 4 of the colour
#                       recipe; about 6 h here; run it again after an interruption to resume)
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
DETECTOR_PLAIN := configs/detection/rtmdet-nano_synthetic-scenes-320x320.py
DETECTOR_COLOUR := configs/detection/rtmdet-nano_synthetic-scenes-colour-320x320.py
DETECTOR_WEIGHTS := mmpose_mlehand/bundled/rtmdet-nano_synthetic-scenes-320x320.pth
# The runs are numbered as in docs/bundled_models.md (run 3, a shorter colour run, was not
# continued). Each run bundles its weights; the next one starts from them. The last one's
# threshold keeps at most run 2's share of hand-free val scenes boxed (8.22%).
bundled-detector: env
	$(PY) tools/train_bundled_detector.py --config $(DETECTOR_PLAIN) --work-dir $(DETECTOR_DIR)/run1
	for run in run2 run4 run5; do mkdir -p $(DETECTOR_DIR)/$$run && \
	    ln -sfn ../run1/data $(DETECTOR_DIR)/$$run/data; done
	$(PY) tools/train_bundled_detector.py --config $(DETECTOR_PLAIN) --work-dir $(DETECTOR_DIR)/run2 \
	    --epochs 5 --load-from $(DETECTOR_WEIGHTS)
	$(PY) tools/train_bundled_detector.py --config $(DETECTOR_COLOUR) --work-dir $(DETECTOR_DIR)/run4 \
	    --epochs 5 --load-from $(DETECTOR_WEIGHTS)
	$(PY) tools/train_bundled_detector.py --config $(DETECTOR_COLOUR) --work-dir $(DETECTOR_DIR)/run5 \
	    --epochs 4 --load-from $(DETECTOR_WEIGHTS) --max-hand-free 0.0822

clean-env:
	rm -rf $(VENV)
