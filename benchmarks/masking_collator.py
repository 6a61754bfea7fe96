"""Collator throughput: methodbook's DynamicMaskCollator vs Hugging Face's DataCollatorForLanguageModeling.

Same inputs for both (64 examples x 512 tokens from the pydoc corpus, with `special_tokens_mask` and
`offset_mapping`), same process, one thread, the two collators called alternately so load hits both alike. Also checks the realized mean ratio over 10k samples.

    python benchmarks/masking_collator.py [--reps 30] [--clock wall|cpu] [--out benchmarks/results/masking.md]

`--clock cpu` times each call by the process's CPU time (`time.process_time`) instead of wall time: on a busy
machine a 2 ms call is often preempted for a whole scheduler slice, which wall-clock medians count and CPU time does not.
"""

import argparse, os, platform, statistics, time, warnings
import numpy as np
import torch

torch.set_num_threads(1)
from transformers import DataCollatorForLanguageModeling
from pydoc_data.topics import topics
from methodbook.masking.collator import DynamicMaskCollator, frequency_weights
from methodbook.masking.ratio import parse_ratio
from methodbook.masking.text import read_corpus, train_wordpiece


def make_examples(tok, n=64, max_len=512, ragged=False, seed=0):
    enc = tok(
        [topics[k] for k in sorted(topics)],
        truncation=True,
        max_length=max_len,
        return_overflowing_tokens=True,
        return_special_tokens_mask=True,
        return_offsets_mapping=True,
    )
    full = [i for i, ids in enumerate(enc['input_ids']) if len(ids) == max_len]
    rng = np.random.default_rng(seed)
    idx = rng.choice(full, n, replace=False)
    out = []
    for i in idx:
        L = int(rng.integers(max_len // 4, max_len + 1)) if ragged else max_len
        keep = list(range(L - 1)) + [max_len - 1]  # keep [SEP] at the end
        out.append(
            {k: [enc[k][i][j] for j in keep] for k in ('input_ids', 'special_tokens_mask', 'offset_mapping')}
            | {'word_ids': [-1 if w is None else w for w in (enc.word_ids(i)[j] for j in keep)]}
        )
    return out


CLOCK = time.perf_counter


def timeit(fn, reps):
    fn()
    fn()  # warm up
    ts = []
    for _ in range(reps):
        t = CLOCK()
        fn()
        ts.append(CLOCK() - t)
    return statistics.median(ts) * 1e3, min(ts) * 1e3


def timeit_pair(f_hf, f_mb, reps):
    "Time both collators alternately, call by call, so a busy machine slows both alike; (median, min) ms for each."
    for f in (f_hf, f_mb, f_hf, f_mb):
        f()  # warm up
    th, tm = [], []
    for _ in range(reps):
        t = CLOCK()
        f_hf()
        th.append(CLOCK() - t)
        t = CLOCK()
        f_mb()
        tm.append(CLOCK() - t)
    return (statistics.median(th) * 1e3, min(th) * 1e3), (statistics.median(tm) * 1e3, min(tm) * 1e3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=30)
    ap.add_argument('--out', default=None)
    ap.add_argument('--clock', choices=('wall', 'cpu'), default='wall')
    a = ap.parse_args()
    global CLOCK
    CLOCK = time.process_time if a.clock == 'cpu' else time.perf_counter
    tok = train_wordpiece(read_corpus('pydoc'), vocab_size=4000, deterministic=True)  # the same 3,852 pieces every run
    lines = [
        f"machine: {platform.machine()} {platform.processor() or ''}, torch {torch.__version__}, 1 thread, "
        f"`torch.get_num_threads()={torch.get_num_threads()}`; median (min) of {a.reps} calls, ms per batch of 64 "
        f"({'process CPU time' if a.clock == 'cpu' else 'wall time'}); load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "",
    ]
    lines += ["| inputs | path | HF ms | methodbook ms | speed-up (medians) | speed-up (minima) |", "| --- | --- | --- | --- | --- | --- |"]
    results = {}
    for ragged in (False, True):
        ex = make_examples(tok, ragged=ragged)
        ex_tok = [{k: e[k] for k in ('input_ids', 'special_tokens_mask')} for e in ex]
        ex_off = [{k: e[k] for k in ('input_ids', 'special_tokens_mask', 'offset_mapping')} for e in ex]
        ex_wid = [{k: e[k] for k in ('input_ids', 'special_tokens_mask', 'word_ids')} for e in ex]
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            hf_tok = DataCollatorForLanguageModeling(tok, mlm_probability=0.15, seed=0)
            hf_wwm = DataCollatorForLanguageModeling(tok, mlm_probability=0.15, whole_word_mask=True, seed=0)
        mb_tok = DynamicMaskCollator(tok, ratio=0.15, seed=0)
        mb_uni = DynamicMaskCollator(tok, ratio='uniform:0.15:0.5', seed=0)
        mb_wwm = DynamicMaskCollator(tok, ratio=0.15, mode='word', seed=0)
        mb_span = DynamicMaskCollator(tok, ratio=0.15, mode='span', seed=0)
        fw = frequency_weights(ex_tok, len(tok))  # word-level proportions: rare tokens masked more
        mb_freq = DynamicMaskCollator(tok, ratio=0.15, seed=0, token_weights=fw)
        mb_freq_w = DynamicMaskCollator(tok, ratio=0.15, mode='word', seed=0, token_weights=fw)
        name = 'ragged 128-512' if ragged else '64 x 512'
        pairs = [
            ('token, fixed 15%', lambda: hf_tok(ex_tok), lambda: mb_tok(ex_tok)),
            ('token, uniform(0.15, 0.5)', lambda: hf_tok(ex_tok), lambda: mb_uni(ex_tok)),
            ('whole-word, offset_mapping', lambda: hf_wwm(ex_off), lambda: mb_wwm(ex_off)),
            ('whole-word, word_ids', lambda: hf_wwm(ex_off), lambda: mb_wwm(ex_wid)),
            ('span (mean 3), vs HF token', lambda: hf_tok(ex_tok), lambda: mb_span(ex_tok)),
            ('token, frequency-weighted (word-level proportions), vs HF token', lambda: hf_tok(ex_tok), lambda: mb_freq(ex_tok)),
            ('whole-word, frequency-weighted, word_ids, vs HF whole-word', lambda: hf_wwm(ex_off), lambda: mb_freq_w(ex_wid)),
        ]
        rows = []
        for path, f_hf, f_mb in pairs:
            try:
                rows.append((path,) + timeit_pair(f_hf, f_mb, a.reps))
            except ValueError as e:  # HF cannot pad ragged offset_mapping
                print('HF whole-word failed:', str(e)[:120])
                rows.append((path, (float('nan'), float('nan')), timeit(f_mb, a.reps)))
        for path, (h, hmin), (m, mmin) in rows:
            if h != h:
                lines.append(f"| {name} | {path} | fails (cannot pad ragged offset_mapping) | {m:.1f} ({mmin:.1f}) | - | - |")
                continue
            lines.append(f"| {name} | {path} | {h:.1f} ({hmin:.1f}) | {m:.1f} ({mmin:.1f}) | {h / m:.1f}x | {hmin / mmin:.1f}x |")
            results[(name, path)] = h / m
    # realized mean ratio over 10k samples
    lines += [
        "",
        "Realized mean ratio over 10,000 samples (lengths 128-512, seed 0):",
        "",
        "| distribution | mode | expected mean | realized mean | abs. diff |",
        "| --- | --- | --- | --- | --- |",
    ]
    ex = make_examples(tok, n=200, ragged=True, seed=1)
    for spec in ('0.15', 'uniform:0.15:0.5', 'beta:2:5:0.05:0.6', 'truncnorm:0.3:0.1:0.1:0.6', 'choice:0.15,0.3,0.4'):
        for mode in ('token', 'span'):
            c = DynamicMaskCollator(tok, ratio=spec, mode=mode, seed=0)
            real = []
            for _ in range(50):
                c(ex)
                real.append(c.last_ratios['realized'])
            r = torch.cat(real).double().mean().item()
            mu = parse_ratio(spec).mean()
            lines.append(f"| `{spec}` | {mode} | {mu:.4f} | {r:.4f} | {abs(r - mu):.4f} |")
    text = '\n'.join(lines)
    print(text)
    if a.out:
        with open(a.out, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
