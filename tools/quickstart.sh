#!/usr/bin/env bash
# README command 1: set up the environment (tools/setup_env.sh), generate the synthetic
# FineSports data, train the small CSN recognizer with tools/train.py and test it with
# tools/test.py, printing the test metrics. Everything is reused on a second run except the
# training itself (WORK_DIR is recreated).
#   SEED (default 0), WORK_DIR (default work_dirs/quickstart), DATA_ROOT (default
#   data/finesports_synthetic), NUM_TRAIN / NUM_TEST (default 360 / 120) are honoured.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash tools/setup_env.sh
PY="${MMFINE_VENV:-$REPO/.venv}/bin/python"
CONFIG=configs/recognition/csn_tiny_1xb16-8x2x1-15e_finesports-synthetic.py
DATA_ROOT="${DATA_ROOT:-data/finesports_synthetic}"
WORK_DIR="${WORK_DIR:-work_dirs/quickstart}"
SEED="${SEED:-0}"

# (re)generate when missing or written before the generator had a validation split
if [[ ! -f "$DATA_ROOT/FineSports-GT.pkl" ]] || ! grep -q val_videos "$DATA_ROOT/FineSports-GT.pkl"; then
    "$PY" tools/data/finesports/generate_synthetic_finesports.py "$DATA_ROOT" --seed "$SEED" \
        --num-train "${NUM_TRAIN:-360}" --num-test "${NUM_TEST:-120}"
fi
rm -rf "$WORK_DIR"
OVERRIDES=(--cfg-options "train_dataloader.dataset.ann_file=$DATA_ROOT/FineSports-GT.pkl"
    "train_dataloader.dataset.prompt_file=$DATA_ROOT/prompts_with_color.json"
    "train_dataloader.dataset.data_prefix.video=$DATA_ROOT/videos"
    "test_dataloader.dataset.ann_file=$DATA_ROOT/FineSports-GT.pkl"
    "test_dataloader.dataset.prompt_file=$DATA_ROOT/prompts_with_color.json"
    "test_dataloader.dataset.data_prefix.video=$DATA_ROOT/videos"
    "val_dataloader.dataset.ann_file=$DATA_ROOT/FineSports-GT.pkl"
    "val_dataloader.dataset.prompt_file=$DATA_ROOT/prompts_with_color.json"
    "val_dataloader.dataset.data_prefix.video=$DATA_ROOT/videos")
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR" --seed "$SEED" "${OVERRIDES[@]}"
CKPT="$(ls -t "$WORK_DIR"/epoch_*.pth | head -n1)"
"$PY" tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK_DIR" "${OVERRIDES[@]}"
