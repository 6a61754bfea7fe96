#!/bin/bash
# The second masking experiment (issue 15, 2026-12-02): BERT 4 layers, hidden 128, 4 heads, windows of 64, batch 32,
# AdamW peak lr 2e-3, 100 warmup steps, linear decay to 0 at N steps; the same corpus and tokenizer as the first
# experiment (runs/masking_experiment/tokenizer, copied), its own run and results folders.
# N is sized once, from a measured 45-second run of this model on one core: N = 150 s / (s per step), rounded down to
# 100, in [1000, 3000]; it is stored in runs/masking_experiment2/steps so every later chunk uses the same N.
# Usage (each chunk < 25 min, through the CPU-slot wrapper):
#   /work/tools/heavy bash benchmarks/masking_experiment2.sh SEEDS ARMS...
#   e.g. /work/tools/heavy bash benchmarks/masking_experiment2.sh 0 fixed15 upmlm decay loss15
# A longer run with the same model goes to its own folders: MASKING_RUN=3 MASKING_STEPS=3000 (the third run, 2026-12-02,
# 6.1M tokens per arm: fixed15 and upmlm x 3 seeds); the step count is then stored in runs/masking_experiment3/steps and
# a later chunk with a different MASKING_STEPS is refused. The tokenizer is the second run's, copied when present (the
# first run's WordPiece is deterministic, so a fresh checkout retrains the same one).
set -e
RUN=${MASKING_RUN:-2}
OUT=runs/masking_experiment$RUN
RES=benchmarks/results/masking_experiment$RUN
mkdir -p $OUT $RES
if [ -n "$MASKING_STEPS" ]; then
  if [ -f $OUT/steps ] && [ "$(cat $OUT/steps)" != "$MASKING_STEPS" ]; then
    echo "$OUT was started with $(cat $OUT/steps) steps per arm, not MASKING_STEPS=$MASKING_STEPS" >&2; exit 2
  fi
  echo "$MASKING_STEPS" > $OUT/steps
  [ -d $OUT/tokenizer ] || [ ! -d runs/masking_experiment2/tokenizer ] || cp -r runs/masking_experiment2/tokenizer $OUT/
elif [ ! -f $OUT/steps ]; then   # the committed sizing row gives the same N in a fresh checkout
  [ -f $RES/sizing.jsonl ] || python benchmarks/masking_sizing.py --seconds 45 --configs h128L4s64_lr2e-3 --out $RES/sizing.jsonl
  python -c "import json; r=[json.loads(l) for l in open('$RES/sizing.jsonl')][-1]; print(min(3000, max(1000, int(150 / r['sec_per_step']) // 100 * 100)))" > $OUT/steps
fi
N=$(cat $OUT/steps)
SEEDS=$1; shift
echo "steps $N, seeds $SEEDS, arms $*"
python benchmarks/masking_experiment.py all --out $OUT --results $RES --steps $N --decay-steps $N \
  --hidden 128 --layers 4 --heads 4 --max-len 64 --batch-size 32 --lr 2e-3 --warmup 100 --scheduler linear \
  --eval-every 100 --seeds $SEEDS --arms "$@"
