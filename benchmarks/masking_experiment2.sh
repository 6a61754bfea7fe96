#!/bin/bash
# The second masking experiment (issue 15, 2026-12-02): BERT 4 layers, hidden 128, 4 heads, windows of 64, batch 32,
# AdamW peak lr 2e-3, 100 warmup steps, linear decay to 0 at N steps; the same corpus and tokenizer as the first
# experiment (runs/masking_experiment/tokenizer, copied), its own run and results folders.
# N is sized once, from a measured 45-second run of this model on one core: N = 150 s / (s per step), rounded down to
# 100, in [1000, 3000]; it is stored in runs/masking_experiment2/steps so every later chunk uses the same N.
# Usage (each chunk < 25 min, through the CPU-slot wrapper):
#   /work/tools/heavy bash benchmarks/masking_experiment2.sh SEEDS ARMS...
#   e.g. /work/tools/heavy bash benchmarks/masking_experiment2.sh 0 fixed15 upmlm decay loss15
set -e
OUT=runs/masking_experiment2
RES=benchmarks/results/masking_experiment2
mkdir -p $OUT $RES
if [ ! -f $OUT/steps ]; then   # the committed sizing row gives the same N in a fresh checkout
  [ -f $RES/sizing.jsonl ] || python benchmarks/masking_sizing.py --seconds 45 --configs h128L4s64_lr2e-3 --out $RES/sizing.jsonl
  python -c "import json; r=[json.loads(l) for l in open('$RES/sizing.jsonl')][-1]; print(min(3000, max(1000, int(150 / r['sec_per_step']) // 100 * 100)))" > $OUT/steps
fi
N=$(cat $OUT/steps)
SEEDS=$1; shift
echo "steps $N, seeds $SEEDS, arms $*"
python benchmarks/masking_experiment.py all --out $OUT --results $RES --steps $N --decay-steps $N \
  --hidden 128 --layers 4 --heads 4 --max-len 64 --batch-size 32 --lr 2e-3 --warmup 100 --scheduler linear \
  --eval-every 100 --seeds $SEEDS --arms "$@"
