#!/bin/bash
# The downstream runs behind the issue-14 verdict (session 4), in the order they were run; each stage is one
# CPU-slot job (`/work/tools/heavy`-style wrapper optional) bounded by --until (UTC HH:MM: no new unit starts after it).
# Every stage resumes: rows already in the JSONL files are skipped.
#   bash benchmarks/molecules_verdict_runs.sh STAGE [UNTIL]
# Encoders: the full method is the shipped one (MOSES 250k x 3 epochs, = runs/full/encoder); the ablations are the
# same budget's `plain` (atom-only, plain NT-Xent) and `groups` (+ group nodes) runs of benchmarks/molecules_pretrain.py.
set -e
cd "$(dirname "$0")/.."
STAGE=$1; UNTIL=${2:-23:59}
RUNS=${MOLECULES_RUNS:-$HOME/.cache/methodbook/molecules/moses_250000/runs}
DS="python benchmarks/molecules_downstream.py --until $UNTIL"
FULL="--encoder moses-shipped=methodbook/molecules/pretrained"
case $STAGE in
  b3db100)   # B3DB 100 % labels: descriptors + RF, ECFP + SVM, scratch and full, split by split
    $DS --arms baselines,gnn --baselines 'RDKit 2D + RF,ECFP + SVM' --datasets b3db --fracs 1.0 --seeds 5 $FULL ;;
  b3db_rf)   # ECFP4 + RF on the same B3DB splits (the costliest baseline, ~1-2 min per split)
    $DS --arms baselines --baselines 'ECFP4 + RF' --datasets b3db --fracs 1.0 --seeds 5 ;;
  ablations_freesolv) # the ablation encoders at 100 % labels on FreeSolv (5 splits); scratch already measured
    for A in groups plain; do
      $DS --arms gnn --no-scratch --datasets freesolv --fracs 1.0 --seeds 5 --encoder moses-$A=$RUNS/$A/encoder
    done ;;
  ablations_b3db) # the same on B3DB (5 splits)
    for A in groups plain; do
      $DS --arms gnn --no-scratch --datasets b3db --fracs 1.0 --seeds 5 --encoder moses-$A=$RUNS/$A/encoder
    done ;;
  ablation_fracs) # the same at 10 % and 30 % labels on FreeSolv
    for A in groups plain; do
      $DS --arms gnn --no-scratch --datasets freesolv --fracs 0.1,0.3 --seeds 5 --encoder moses-$A=$RUNS/$A/encoder
    done ;;
  ace_desc)  # RDKit 2D descriptors + RF on all 30 MoleculeACE targets
    $DS --arms baselines --baselines 'RDKit 2D + RF' --datasets ace --ace-targets all \
        --out benchmarks/results/molecules_downstream_baselines.jsonl ;;
  ace_gnn)   # the full encoder on the 3 smallest MoleculeACE targets (scratch exists there), 3 seeds, 100 % labels
    $DS --arms gnn --datasets ace --ace-targets smallest:3 --ace-seeds 3 --fracs 1.0 $FULL ;;
  ace_more)  # more targets by the same rule, fixed before any result: increasing size, seed 0 only, 100 % labels
    $DS --arms gnn --datasets ace --ace-targets smallest:30 --ace-seeds 1 --fracs 1.0 $FULL ;;
  b3db_fracs) # B3DB at 10 % and 30 % labels
    $DS --arms baselines,gnn --baselines 'RDKit 2D + RF,ECFP + SVM' --datasets b3db --fracs 0.1,0.3 --seeds 5 $FULL ;;
  ace_fracs) # MoleculeACE at 10 % and 30 % labels: scratch and full, every target, seed 0 (the rule of ace_more)
    $DS --arms gnn --datasets ace --ace-targets smallest:30 --ace-seeds 1 --fracs 0.1,0.3 $FULL ;;
  ablations_ace) # the ablation encoders on every MoleculeACE target, seed 0, 100 % labels; scratch already measured
    for A in groups plain; do
      $DS --arms gnn --no-scratch --datasets ace --ace-targets smallest:30 --ace-seeds 1 --fracs 1.0 --encoder moses-$A=$RUNS/$A/encoder
    done ;;
  b3db_fp)   # both fingerprint RFs on every B3DB split at every label fraction (b3db_rf's rows are reused)
    $DS --arms baselines --baselines 'ECFP4 + RF,ECFP4 counts + RF' --datasets b3db --fracs 0.1,0.3,1.0 --seeds 5 ;;
  ablations_b3db_fracs) # the ablation encoders on B3DB at 10 % and 30 % labels (5 splits)
    for A in groups plain; do
      $DS --arms gnn --no-scratch --datasets b3db --fracs 0.1,0.3 --seeds 5 --encoder moses-$A=$RUNS/$A/encoder
    done ;;
  ablations_ace_fracs) # the ablation encoders on every MoleculeACE target at 10 % and 30 % labels, seed 0
    for A in groups plain; do
      $DS --arms gnn --no-scratch --datasets ace --ace-targets smallest:30 --ace-seeds 1 --fracs 0.1,0.3 --encoder moses-$A=$RUNS/$A/encoder
    done ;;
  *) echo "unknown stage $STAGE" >&2; exit 2 ;;
esac
