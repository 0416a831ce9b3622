# Sourced by tools/dist_train.sh, dist_test.sh and slurm_train.sh: the interpreter to run.
# $PYTHON if set, else the project's venv (tools/setup_env.sh creates it: $MMFINE_VENV or
# <repo>/.venv), else `python` from PATH.
_MMFINE_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "${MMFINE_VENV:-$_MMFINE_REPO/.venv}/bin/python" ]]; then
        PYTHON="${MMFINE_VENV:-$_MMFINE_REPO/.venv}/bin/python"
    else
        PYTHON=python
    fi
fi
# one thread per process unless asked otherwise: what torchrun and mmengine default to, set
# here so that neither prints its "Setting OMP_NUM_THREADS / MKL_NUM_THREADS" banner
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
