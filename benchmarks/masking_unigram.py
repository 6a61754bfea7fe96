"""The unigram reference for the masking experiments: the cross-entropy of the held-out windows' maskable tokens under
the training split's token frequencies (add-one smoothed). A masked-LM that ignores its context cannot do better than
this at any mask rate, so a held-out masked loss below it measures how much context a model uses.

    python benchmarks/masking_unigram.py [--out runs/masking_experiment2] [--max-len 64] [--results benchmarks/results/masking_experiment2]
"""

import argparse, json, warnings
from pathlib import Path
import numpy as np
from methodbook.masking.pretrain import MaskingPretrainConfig
from methodbook.masking.experiment import experiment_data


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='runs/masking_experiment2')
    ap.add_argument('--max-len', type=int, default=64)
    ap.add_argument('--results', default='benchmarks/results/masking_experiment2')
    a = ap.parse_args(argv)
    base = MaskingPretrainConfig(corpus='mix', vocab_size=4000, max_len=a.max_len, ratio='0.15')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        data = experiment_data(base, a.out)

    def tokens(ex):
        return np.concatenate([np.asarray(e['input_ids'])[~np.asarray(e['special_tokens_mask'], bool)] for e in ex])

    V = len(data['tok'])
    counts = np.bincount(tokens(data['train']), minlength=V) + 1.0
    logp = np.log(counts / counts.sum())
    held = tokens(data['heldout'][:256])  # the windows the evaluations use
    row = {
        'unigram_ce_heldout256': float(-logp[held].mean()),
        'unigram_ce_heldout_all': float(-logp[tokens(data['heldout'])].mean()),
        'train_tokens': int(counts.sum() - V),
        'vocab': V,
        'max_len': a.max_len,
    }
    print(json.dumps(row))
    Path(a.results, 'unigram.json').write_text(json.dumps(row, indent=1) + '\n')


if __name__ == '__main__':
    main()
