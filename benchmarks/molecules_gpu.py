"""The MOSES pretraining of benchmarks/molecules_pretrain.py at full scale on one GPU (for whoever has one).

  python benchmarks/molecules_gpu.py                 # all 1.58 M MOSES molecules, 4 arms, 3 epochs, batch 1024, hidden 128
  python benchmarks/molecules_gpu.py --arms full --epochs 1
  python benchmarks/molecules_gpu.py --smoke         # the same code on CPU, 600 RDKit-shipped molecules, no download, seconds (a test runs this)

Featurization uses every CPU core (workers write shards); training runs wherever `methodbook.train.fit` puts it
(Accelerate: the GPU if there is one; add --mixed-precision bf16 through TrainConfig if wanted). Everything resumes:
rerun the same command. Results are appended to benchmarks/results/molecules_pretrain.jsonl with device 'cuda'.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import molecules_pretrain

DEFAULTS = ['--n', '0', '--arms', 'full,groups,plain', '--epochs', '3', '--batch', '1024', '--hidden', '128', '--jobs', '0', '--ckpt-every', '200']


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    given = {a.split('=')[0] for a in argv if a.startswith('--')}
    extra = [x for k, v in zip(DEFAULTS[::2], DEFAULTS[1::2]) if k not in given for x in (k, v)]
    return molecules_pretrain.main(extra + argv)


if __name__ == '__main__':
    main()
