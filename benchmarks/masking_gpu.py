#| gpu
"""BabyLM-strict-small-sized masking run for a machine with a GPU (issue 15): fixed 15% vs the 30%->15% decay vs
u-PMLM's uniform(0, 1), same token budget, three seeds, then the same evaluations as the CPU experiment
(multi-rate, any-order infilling, time to quality, WordNet lexname fine-tuning). Untested on a GPU so far.

    python benchmarks/masking_gpu.py                 # ~10M words (the mix corpus, ~4.1M words, is repeated ~2.4x), BERT 4x256
    python benchmarks/masking_gpu.py --smoke         # a tiny configuration that runs on CPU in seconds (tested)

The size: BabyLM strict-small is 10M words. Our offline corpus (Shakespeare + CPython docs + WordNet glosses) holds
about 4.1M words, so --words 10e6 trains for 10M words' worth of tokens (about 2.4 passes). At 4 layers x 256 hidden,
sequence 128, batch 128 that is 10M x 1.3 tokens / (128 x 128) ~ 800 steps per arm: minutes per arm on one modern GPU
(fp32; the evaluations run on the CPU). Everything resumes from checkpoints (run it again to continue). Set
MASKING_THREADS for more CPU threads.
"""

import argparse, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import masking_experiment as mx


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('--words', type=float, default=10e6, help='training budget in words (BabyLM strict-small: 10M)')
    ap.add_argument('--tokens-per-word', type=float, default=1.3, help='WordPiece tokens per word of this corpus (measured ~1.3)')
    ap.add_argument('--hidden', type=int, default=256)
    ap.add_argument('--layers', type=int, default=4)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--max-len', type=int, default=128)
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--vocab-size', type=int, default=8000)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--out', default='runs/masking_gpu')
    ap.add_argument('--results', default='benchmarks/results/masking_gpu')
    ap.add_argument('--smoke', action='store_true', help='tiny sizes on the pydoc corpus, in a temporary folder (CPU, seconds)')
    return ap.parse_args(argv)


def experiment_args(a) -> list[str]:
    "The arguments of `masking_experiment.py all` for this run."
    steps = max(1, int(a.words * a.tokens_per_word / (a.batch_size * a.max_len)))
    if a.smoke:
        tmp = Path(tempfile.mkdtemp(prefix='masking-gpu-smoke-'))
        return ['all', '--smoke', '--arms', 'fixed15', 'decay', 'upmlm', '--out', str(tmp / 'runs'), '--results', str(tmp / 'results')]
    return [
        'all',
        '--steps',
        str(steps),
        '--decay-steps',
        str(steps),
        '--hidden',
        str(a.hidden),
        '--layers',
        str(a.layers),
        '--heads',
        str(a.heads),
        '--max-len',
        str(a.max_len),
        '--batch-size',
        str(a.batch_size),
        '--vocab-size',
        str(a.vocab_size),
        '--lr',
        str(a.lr),
        '--warmup',
        str(max(1, steps // 20)),
        '--eval-every',
        str(max(1, steps // 40)),
        '--arms',
        'fixed15',
        'decay',
        'upmlm',
        '--seeds',
        *map(str, a.seeds),
        '--out',
        a.out,
        '--results',
        a.results,
    ]


def main(argv=None):
    a = parse(argv)
    args = experiment_args(a)
    print('masking_experiment.py ' + ' '.join(args), flush=True)
    return mx.main(args)


if __name__ == '__main__':
    main()
