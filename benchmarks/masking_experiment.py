"""The masking experiment (issue 15): six arms x seeds, trained through `methodbook.train.fit` with checkpoints, then evaluated
from the saved models. Resumable: run the same command again (or with a larger --steps) and every run continues
from its newest checkpoint; finished rows are skipped.

    nice -n 10 python benchmarks/masking_experiment.py all      [--steps 500 --hidden 64 --layers 2 --max-len 64 --batch-size 32]
    # the second, longer experiment (2026-12-02; its own folders, so the first one's checkpoints stay valid):
    /work/tools/heavy python benchmarks/masking_experiment.py all --out runs/masking_experiment2 --results benchmarks/results/masking_experiment2 \
        --steps N --decay-steps N --lr 1e-3 --warmup 100 --scheduler linear --eval-every 100 --seeds 0 --arms fixed15 upmlm decay loss15
    nice -n 10 python benchmarks/masking_experiment.py train|evaluate [same size flags]   # one phase only
    python benchmarks/masking_experiment.py train --smoke      # a few steps of everything, on CPU, in a temp folder

Checkpoints and models go to --out (default runs/masking_experiment, not committed); result rows (JSON lines) to
--results (default benchmarks/results/masking_experiment/).
"""

import argparse, os, tempfile, time
from pathlib import Path
import torch

torch.set_num_threads(int(os.environ.get('MASKING_THREADS', 1)))
from methodbook.masking.pretrain import MaskingPretrainConfig, train_config
from methodbook.masking.experiment import run_experiment, arms_for


def configs(a):
    base = MaskingPretrainConfig(
        corpus=a.corpus, vocab_size=a.vocab_size, max_len=a.max_len, hidden=a.hidden, layers=a.layers, heads=a.heads, batch_size=a.batch_size, ratio='0.15'
    )
    train = train_config(
        steps=a.steps,
        lr=a.lr,
        warmup_steps=a.warmup,
        scheduler=a.scheduler,
        ckpt_every=a.ckpt_every or max(1, a.steps // 4),
        eval_every=a.eval_every,
        keep_last=1,
    )
    return base, train


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('phase', choices=('train', 'evaluate', 'all'))
    ap.add_argument('--corpus', default='mix')
    ap.add_argument('--steps', type=int, default=500)
    ap.add_argument('--decay-steps', type=int, default=500, help='the 30%%->15%% decay spans these steps (fixed, so a longer run resumes)')
    ap.add_argument('--hidden', type=int, default=64)
    ap.add_argument('--layers', type=int, default=2)
    ap.add_argument('--heads', type=int, default=2)
    ap.add_argument('--max-len', type=int, default=64)
    ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--vocab-size', type=int, default=4000)
    ap.add_argument('--lr', type=float, default=5e-3)
    ap.add_argument('--warmup', type=int, default=30)
    ap.add_argument('--scheduler', default='constant', help="'constant' (a longer run resumes cleanly) or 'linear' (decay to 0 at --steps)")
    ap.add_argument('--ckpt-every', type=int, default=0)
    ap.add_argument('--eval-every', type=int, default=25)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--arms', nargs='+', default=None)
    ap.add_argument('--out', default='runs/masking_experiment')
    ap.add_argument('--results', default='benchmarks/results/masking_experiment')
    ap.add_argument('--smoke', action='store_true', help='tiny sizes, pydoc corpus, temp folders')
    a = ap.parse_args(argv)
    if a.smoke:
        tmp = Path(tempfile.mkdtemp(prefix='masking-smoke-'))
        a.corpus, a.steps, a.decay_steps, a.hidden, a.layers, a.heads, a.max_len, a.batch_size = 'pydoc', 4, 4, 16, 1, 2, 32, 4
        a.vocab_size, a.warmup, a.eval_every, a.seeds, a.out, a.results = 300, 1, 2, [0], str(tmp / 'runs'), str(tmp / 'results')
    return a


def main(argv=None):
    a = parse(argv)
    base, train = configs(a)
    arms = arms_for(a.decay_steps)
    if a.arms:
        arms = {k: arms[k] for k in a.arms}
    res = Path(a.results)
    res.mkdir(parents=True, exist_ok=True)
    t = time.time()
    from methodbook.masking.evaluate import evaluate_runs

    for seed in a.seeds:  # seed by seed, so a cut-off run leaves whole seeds, trained and evaluated
        if a.phase in ('train', 'all'):
            run_experiment(base, train, a.out, res / 'train.jsonl', [seed], arms)
            print(f"seed {seed} trained: {time.time() - t:.0f} s", flush=True)
        if a.phase in ('evaluate', 'all'):
            evaluate_runs(base, a.out, res, [seed], list(arms), steps=a.steps, smoke=a.smoke)
            print(f"seed {seed} evaluated: {time.time() - t:.0f} s", flush=True)
    return a


if __name__ == '__main__':
    main()
