#!/usr/bin/env bash
# Create or reuse the project virtual environment (.venv inside the repository).
#
# Installs the verified stack (requirements/constraints.txt): torch 2.13.0 (CPU wheel when the
# machine provides it), mmengine 0.10.7, mmcv 2.1.0 built from source with its ops, mmdet 3.3.0,
# mmaction2 1.2.0, decord, numpy, transformers and the offline MiniLM text encoder, then mmfine
# itself in editable mode.
#
# * A second run is a no-op taking well under a second: a stamp file records a hash of the
#   requirement files and of this script; it is rewritten only after a complete install.
# * mmcv has no wheel on PyPI for this stack; its source build (16-18 min on 2 cores) runs once per machine
#   and the wheel is kept OUTSIDE the repository in $MMFINE_WHEEL_DIR
#   (default ~/.cache/mmfine/wheels/<python>-torch<version>), so fresh clones reuse it.
# * torchvision is never installed (no CPU build matches the CPU torch; transformers imports it
#   when present and fails).
#
# Environment variables:
#   MMFINE_VENV       venv path (default: <repo>/.venv)
#   MMFINE_WHEEL_DIR  where the built mmcv wheel is kept (default above)
#   MMFINE_PYTHON     interpreter used to create the venv (default: python3.11, else python3)
#   MAX_JOBS          parallel compile jobs for mmcv (default: number of cores)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MMFINE_VENV:-$REPO/.venv}"
PY_BOOT="${MMFINE_PYTHON:-$(command -v python3.11 || command -v python3)}"
STAMP="$VENV/.mmfine-env-stamp"

stamp_value() {
    cat "$REPO"/requirements/*.txt "$REPO/tools/setup_env.sh" "$REPO/setup.cfg" 2>/dev/null \
        | sha256sum | cut -d' ' -f1
}

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(stamp_value)" && -x "$VENV/bin/python" ]]; then
    exit 0
fi

log() { printf '[setup_env %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating virtual environment $VENV with $PY_BOOT"
    "$PY_BOOT" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=(pip_q)
# Quiet pip; drop the "Location ... is ignored" noise some machines' pip config produces.
pip_q() {
    "$PY" -m pip install --disable-pip-version-check -q "$@" 2> >(grep -v "^WARNING: Location 'file:" >&2)
}
CONSTRAINTS="$REPO/requirements/constraints.txt"

log "torch (CPU wheel where the machine provides one)"
"${PIP[@]}" "torch==${MMFINE_TORCH_VERSION:-2.13.0}"

# torch 2.13 declares setuptools>=77, but mmcv 2.1.0's build needs pkg_resources from
# setuptools<70 (verified). torch only uses setuptools for cpp extensions, so pip's resolver
# complaint about this pair is expected and harmless.
log "build tools (setuptools<70 for mmcv's pkg_resources, wheel, ninja)"
"${PIP[@]}" -r "$REPO/requirements/build.txt" 2>&1 | grep -v -e "dependency conflicts" \
    -e "requires setuptools" -e "pip's dependency resolver" || true
"$PY" -c "import pkg_resources, wheel" 2>/dev/null || { log "setuptools<70/wheel install failed"; exit 1; }

log "runtime requirements"
"${PIP[@]}" -c "$CONSTRAINTS" -r "$REPO/requirements/runtime.txt" mmengine

# ---------------------------------------------------------------- mmcv (source build, cached)
if ! "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '2.1.0'" >/dev/null 2>&1; then
    TORCH_VER="$("$PY" -c 'import torch; print(torch.__version__.replace("+", "_"))')"
    PY_TAG="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
    WHEEL_DIR="${MMFINE_WHEEL_DIR:-$HOME/.cache/mmfine/wheels/$PY_TAG-torch$TORCH_VER}"
    mkdir -p "$WHEEL_DIR"
    WHEEL="$(ls "$WHEEL_DIR"/mmcv-2.1.0-*.whl 2>/dev/null | head -n1 || true)"
    if [[ -z "$WHEEL" ]]; then
        BUILD_LOG="$WHEEL_DIR/mmcv-build.log"
        log "building mmcv 2.1.0 with ops from source (16-18 min on 2 cores, once per machine)"
        log "full build log: $BUILD_LOG"
        TMP_OUT="$(mktemp -d)"
        (MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" FORCE_CUDA="${FORCE_CUDA:-0}" \
            "$PY" -m pip wheel -v --no-deps --no-build-isolation --no-binary mmcv \
            -w "$TMP_OUT" mmcv==2.1.0 >"$BUILD_LOG" 2>&1) &
        BUILD_PID=$!
        START=$SECONDS
        while kill -0 "$BUILD_PID" 2>/dev/null; do
            sleep 30
            DONE="$(grep -cE '(g\+\+|c\+\+|gcc) .* -c ' "$BUILD_LOG" || true)"
            log "mmcv build alive: $(( (SECONDS - START) / 60 ))m$(( (SECONDS - START) % 60 ))s elapsed, ${DONE} of ~80 C++ sources started"
        done
        if ! wait "$BUILD_PID"; then
            tail -n 40 "$BUILD_LOG"
            log "mmcv build FAILED; see $BUILD_LOG"
            exit 1
        fi
        mv "$TMP_OUT"/mmcv-2.1.0-*.whl "$WHEEL_DIR"/
        rm -rf "$TMP_OUT"
        WHEEL="$(ls "$WHEEL_DIR"/mmcv-2.1.0-*.whl | head -n1)"
        log "mmcv wheel built in $(( (SECONDS - START) / 60 )) min: $WHEEL"
    else
        log "reusing cached mmcv wheel $WHEEL"
    fi
    "${PIP[@]}" -c "$CONSTRAINTS" "$WHEEL"
fi

log "mmdet, mmaction2 (no deps: it would pull opencv-contrib-python next to opencv-python)"
"${PIP[@]}" -c "$CONSTRAINTS" -r "$REPO/requirements/mminstall.txt" --no-deps
"${PIP[@]}" -c "$CONSTRAINTS" pycocotools shapely terminaltables tqdm six addict yapf \
    rich termcolor pyyaml

log "offline text encoder (no deps: it would pull sentence-transformers)"
"${PIP[@]}" -c "$CONSTRAINTS" --no-deps -r "$REPO/requirements/optional.txt"

log "test and docs requirements (pytest, PyAV, sphinx + myst) and mmfine (editable)"
"${PIP[@]}" -c "$CONSTRAINTS" -r "$REPO/requirements/tests.txt" -r "$REPO/requirements/docs.txt"
"${PIP[@]}" -c "$CONSTRAINTS" --no-deps -r "$REPO/requirements/tests_nodeps.txt"
"${PIP[@]}" --no-deps --no-build-isolation -e "$REPO"

if "$PY" -c "import torchvision" >/dev/null 2>&1; then
    log "removing torchvision (no CPU build matches this torch; transformers breaks on it)"
    "$PY" -m pip uninstall -y -q torchvision
fi

"$PY" - <<'PYEOF'
import mmfine  # noqa: F401  (compat shims first)
import mmcv, mmcv.ops, mmdet, mmdet.models, mmengine, torch, decord, transformers  # noqa: F401
import mmaction.models  # noqa: F401
print(f'[setup_env] torch {torch.__version__}, mmengine {mmengine.__version__}, '
      f'mmcv {mmcv.__version__}, mmdet {mmdet.__version__}, transformers {transformers.__version__}')
PYEOF
stamp_value >"$STAMP"
log "environment ready: $VENV"
