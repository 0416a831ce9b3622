#!/usr/bin/env bash
# The synthetic PoSTAL benchmark in one command (CPU): data, pretraining, fine-tuning, test.
#
#   bash tools/data/finesports/run_postal_synthetic.sh
#
# 1. generates the PoSTAL set (data/finesports_postal_synthetic: 1,440 training clips, 10 jersey
#    numbers, acting look-alikes) and the larger pretraining set of another seed
#    (data/finesports_players_synthetic: 6,000 training clips), unless they exist;
# 2. pretrains the small backbone to name every player's colour, number and action
#    (configs/postal/player-attributes_r3d18-tiny_1xb16-2e_finesports-synthetic.py) and
#    prints its test accuracies;
# 3. fine-tunes PoSTAL from that backbone (init_cfg, prefix 'backbone.')
#    (configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py);
# 4. ends with the tools/test.py output of the fine-tuned model (frame-mAP, video-mAP on every
#    frame of the test clips).
#
# Environment: WORK_DIR (default work_dirs/postal_synthetic) holds the checkpoints and logs;
# a stage whose final checkpoint is already there is reused (FORCE=1 reruns it).
# ABLATIONS=1 also fine-tunes and tests the without-descriptive-words ablation, the
# TubeR-style baseline and PoSTAL from scratch with the same budget. PYTHON, as
# tools/dist_train.sh. Nothing is cached outside WORK_DIR and data/.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"  # one process: use every core
export MKL_NUM_THREADS="${MKL_NUM_THREADS:-$OMP_NUM_THREADS}"
source tools/_python.sh
export PYTHONPATH="$PWD:${PYTHONPATH:-}"
WORK_DIR=${WORK_DIR:-work_dirs/postal_synthetic}
FORCE=${FORCE:-0}
ABLATIONS=${ABLATIONS:-0}
GEN=tools/data/finesports/generate_synthetic_finesports.py
POSTAL_DATA=data/finesports_postal_synthetic
PLAYER_DATA=data/finesports_players_synthetic
PRE_CFG=configs/postal/player-attributes_r3d18-tiny_1xb16-2e_finesports-synthetic.py
PRE_CKPT=$WORK_DIR/player_attributes/epoch_2.pth
BACKBONE="model.backbone.init_cfg.checkpoint=$PRE_CKPT"

stamp() { date +%s; }
took() { echo "[run_postal_synthetic] $1: $(( $(stamp) - $2 )) s"; }

t=$(stamp)
if [[ ! -f $POSTAL_DATA/player_tracks.pkl ]]; then
    "$PYTHON" $GEN $POSTAL_DATA --num-train 1440 --num-numbers 10 --acting-lookalikes
fi
if [[ ! -f $PLAYER_DATA/player_tracks.pkl ]]; then
    "$PYTHON" $GEN $PLAYER_DATA --num-train 6000 --num-test 300 --num-val 150 --num-numbers 10 \
        --acting-lookalikes --seed 1
fi
took data "$t"

train() {  # CONFIG WORK_SUBDIR FINAL_CKPT [cfg-options...]
    local cfg=$1 dir=$WORK_DIR/$2 ckpt=$3
    shift 3
    if [[ -f $ckpt && $FORCE != 1 ]]; then
        echo "[run_postal_synthetic] reusing $ckpt (FORCE=1 retrains)"
        return
    fi
    local t0
    t0=$(stamp)
    "$PYTHON" tools/train.py "$cfg" --work-dir "$dir" "$@"
    took "training $cfg" "$t0"
}
finetune_and_test() {  # CONFIG WORK_SUBDIR [scratch]
    local cfg=$1 name=$2 opts=(--cfg-options "$BACKBONE")
    [[ ${3:-} == scratch ]] && opts=()  # no pretrained backbone to point at
    train "$cfg" "$name" "$WORK_DIR/$name/epoch_2.pth" "${opts[@]}"
    local t0
    t0=$(stamp)
    "$PYTHON" tools/test.py "$cfg" "$WORK_DIR/$name/epoch_2.pth" \
        --work-dir "$WORK_DIR/$name/test" "${opts[@]}"
    took "testing $cfg" "$t0"
}

train $PRE_CFG player_attributes "$PRE_CKPT"
"$PYTHON" tools/test.py $PRE_CFG "$PRE_CKPT" --work-dir "$WORK_DIR/player_attributes/test"
if [[ $ABLATIONS == 1 ]]; then
    finetune_and_test configs/postal/postal_tiny-no-words_1xb8-4x2-2e_finesports-synthetic.py \
        postal_tiny-no-words
    finetune_and_test configs/postal/tuber_tiny_1xb8-4x2-2e_finesports-synthetic.py tuber_tiny
    finetune_and_test configs/postal/postal_tiny-scratch_1xb8-4x2-2e_finesports-synthetic.py \
        postal_tiny-scratch scratch
fi
finetune_and_test configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py postal_tiny
