#!/usr/bin/env bash
# Create or complete the project's virtual environment (.venv) on a fresh machine.
#
# Idempotent: each step checks whether its result is already there and skips it;
# a stamp file makes a second run with unchanged inputs return in well under a
# second. Every failing step names itself and says what to do.
#
# Environment variables:
#   PYTHON           interpreter that creates the venv (default: python3, >= 3.9)
#   VENV             venv folder (default: .venv)
#   MMCV_WITH_CUDA   1 to compile mmcv's CUDA ops (needs nvcc and a GPU build of
#                    torch); default 0: CPU-only ops, the GPU is hidden from the build.
#                    Our models use no mmcv op, so CPU ops are enough for training
#                    on a GPU too.
#   MLEHAND_CACHE    where the built mmcv wheel is kept between clones
#                    (default: ${XDG_CACHE_HOME:-$HOME/.cache}/mmpose-mlehand)
#   MAX_JOBS         parallel compile jobs for mmcv (default: number of cores)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
MMCV_WITH_CUDA=${MMCV_WITH_CUDA:-0}
CACHE=${MLEHAND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmpose-mlehand}

TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMENGINE_VERSION=0.10.7
MMCV_VERSION=2.1.0
XTCOCOTOOLS_VERSION=1.14.3
MMPOSE_VERSION=1.3.2
MMDET_VERSION=3.3.0
OPENMIM_VERSION=0.3.9
# mmcv's setup.py imports pkg_resources, which setuptools 81 removed.
SETUPTOOLS_VERSION=80.9.0

STEP="start"
fail() {
    echo "" >&2
    echo "setup_env: step '$STEP' failed." >&2
    echo "setup_env: $1" >&2
    echo "setup_env: fix the cause and run the same command again; finished steps are skipped." >&2
    exit 1
}
trap 'fail "see the output above for the failing command."' ERR
step() { STEP=$1; echo "setup_env: [$STEP] $2"; }

PY="$ROOT/$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check --no-input)
STAMP="$ROOT/$VENV/.mlehand-env"
# The stamp records every input of this script; any change reruns the checks.
STAMP_KEY=$(cat "$0" setup.py setup.cfg requirements/*.txt | sha256sum | cut -c1-16)-cuda$MMCV_WITH_CUDA
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_KEY" ]]; then
    echo "setup_env: $VENV is up to date (delete $STAMP to re-check every step)."
    exit 0
fi

step venv "virtual environment $VENV"
if [[ ! -x "$PY" ]]; then
    command -v "$PYTHON" >/dev/null || fail "no '$PYTHON' on PATH; set PYTHON=/path/to/python3.11."
    "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 9)' ||
        fail "$PYTHON is older than 3.9; set PYTHON to a newer interpreter."
    "$PYTHON" -m venv "$VENV" || fail "python -m venv failed; on Debian/Ubuntu install python3-venv."
fi
PYTAG=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')

step build-tools "setuptools $SETUPTOOLS_VERSION, wheel"
"$PY" -c "import setuptools, wheel, sys; sys.exit(setuptools.__version__ != '$SETUPTOOLS_VERSION')" 2>/dev/null ||
    "${PIP[@]}" -q "setuptools==$SETUPTOOLS_VERSION" wheel ||
    fail "could not install setuptools/wheel from the package index."

step torch "torch $TORCH_VERSION, torchvision $TORCHVISION_VERSION"
"$PY" -c "import torch, torchvision, sys; sys.exit(not (torch.__version__.startswith('$TORCH_VERSION') and torchvision.__version__.startswith('$TORCHVISION_VERSION')))" 2>/dev/null ||
    "${PIP[@]}" "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" ||
    fail "could not install torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION."

step python-deps "mmengine $MMENGINE_VERSION and the pure-Python dependencies"
"${PIP[@]}" -q "mmengine==$MMENGINE_VERSION" -r requirements/runtime.txt -r requirements/tests.txt \
    "setuptools==$SETUPTOOLS_VERSION" || fail "could not install the packages of requirements/*.txt."

step mmcv "mmcv $MMCV_VERSION (compiled for torch $TORCH_VERSION)"
if ! "$PY" -c "import mmcv, mmcv.ops, sys; sys.exit(mmcv.__version__ != '$MMCV_VERSION')" 2>/dev/null; then
    variant=cpu
    [[ "$MMCV_WITH_CUDA" == 1 ]] && variant=cuda
    WHEEL_DIR="$CACHE/wheels/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$PYTAG-$variant"
    wheel=$(ls "$WHEEL_DIR"/mmcv-*.whl 2>/dev/null | head -n 1 || true)
    if [[ -z "$wheel" ]]; then
        echo "setup_env: no cached wheel in $WHEEL_DIR: compiling mmcv (about 10 minutes on 2 cores)."
        BUILD=$(mktemp -d)
        trap 'rm -rf "$BUILD"; fail "see the output above for the failing command."' ERR
        "$PY" -m pip download -q --no-deps --no-binary :all: --no-build-isolation \
            -d "$BUILD" "mmcv==$MMCV_VERSION" || fail "could not download the mmcv $MMCV_VERSION sdist."
        tar -xzf "$BUILD"/mmcv-"$MMCV_VERSION".tar.gz -C "$BUILD"
        src="$BUILD/mmcv-$MMCV_VERSION"
        # torch >= 2.10 headers require C++20; mmcv's setup.py hard-codes older standards.
        sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' "$src/setup.py"
        grep -q -- '-std=c++20' "$src/setup.py" || fail "the C++20 patch did not apply to mmcv's setup.py."
        if [[ "$variant" == cuda ]]; then
            export FORCE_CUDA=1
        else
            # Hide the GPU so that setup.py does not compile CUDA kernels.
            export CUDA_VISIBLE_DEVICES="" FORCE_CUDA=0
        fi
        (cd "$src" && MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
            "$PY" -m pip wheel --no-deps --no-build-isolation -w "$BUILD/dist" .) ||
            fail "compiling mmcv failed; a C++20 compiler (g++ >= 10) and python headers are needed."
        mkdir -p "$WHEEL_DIR"
        built=$(ls "$BUILD"/dist/mmcv-*.whl)
        # Copy then rename, so that a concurrent or interrupted run never sees half a wheel.
        cp "$built" "$WHEEL_DIR/.partial.whl" && mv "$WHEEL_DIR/.partial.whl" "$WHEEL_DIR/$(basename "$built")"
        rm -rf "$BUILD"
        trap 'fail "see the output above for the failing command."' ERR
        wheel="$WHEEL_DIR/$(basename "$built")"
        echo "setup_env: cached $wheel"
    else
        echo "setup_env: using cached $wheel"
    fi
    "${PIP[@]}" -q --no-deps "$wheel" || fail "installing $wheel failed; delete it to rebuild."
    "${PIP[@]}" -q addict packaging pyyaml yapf || fail "could not install mmcv's dependencies."
fi

step xtcocotools "xtcocotools $XTCOCOTOOLS_VERSION compiled against the installed numpy"
# The PyPI wheel was built against numpy 1.x and fails under numpy 2 ('dtype size changed').
"$PY" -c "import xtcocotools.coco" 2>/dev/null ||
    "${PIP[@]}" -q --force-reinstall --no-deps --no-binary xtcocotools "xtcocotools==$XTCOCOTOOLS_VERSION" ||
    fail "compiling xtcocotools failed; a C compiler and python headers are needed."

step mmpose "mmpose $MMPOSE_VERSION, mmdet $MMDET_VERSION, openmim $OPENMIM_VERSION"
if ! "$PY" -c "import mmpose, mmdet, mim, sys; sys.exit(mmpose.__version__ != '$MMPOSE_VERSION' or mmdet.__version__ != '$MMDET_VERSION')" 2>/dev/null; then
    # --no-deps: mmpose would pull chumpy (unbuildable) and the PyPI xtcocotools wheel.
    "${PIP[@]}" -q --no-deps "mmpose==$MMPOSE_VERSION" "mmdet==$MMDET_VERSION" "openmim==$OPENMIM_VERSION" ||
        fail "could not install mmpose/mmdet/openmim."
    "${PIP[@]}" -q pycocotools shapely terminaltables tqdm six \
        click colorama model-index opendatalab pandas rich tabulate "setuptools==$SETUPTOOLS_VERSION" ||
        fail "could not install the dependencies of mmdet/openmim."
fi

step plugin "mmpose_mlehand (editable)"
"${PIP[@]}" -q --no-deps --no-build-isolation -e . || fail "pip install -e . failed."

step check "imports"
"$PY" -c "import torch, mmcv.ops, mmpose.models, mmdet, xtcocotools.coco, mmpose_mlehand" ||
    fail "the environment is incomplete; delete $VENV and run again."
echo "$STAMP_KEY" > "$STAMP"
echo "setup_env: $VENV is ready ($("$PY" -c 'import torch, mmcv, mmpose; print(f"torch {torch.__version__}, mmcv {mmcv.__version__}, mmpose {mmpose.__version__}")'))."
