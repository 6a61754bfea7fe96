"""Interleaved timing of HF vs methodbook collators incl. the word-level (frequency-weighted) option, 64 x 512, one thread.

python benchmarks/masking_collator_interleaved.py 60     # rounds; prints min / p10 / median ms and the min ratios
"""

import sys, time, statistics, warnings, torch

torch.set_num_threads(1)
sys.path.insert(0, 'benchmarks')
from masking_collator import make_examples
from transformers import DataCollatorForLanguageModeling
from methodbook.masking.collator import DynamicMaskCollator, frequency_weights
from methodbook.masking.text import read_corpus, train_wordpiece

tok = train_wordpiece(read_corpus('pydoc'), vocab_size=4000, deterministic=True)
ex = make_examples(tok)
ex_tok = [{k: e[k] for k in ('input_ids', 'special_tokens_mask')} for e in ex]
ex_wid = [{k: e[k] for k in ('input_ids', 'special_tokens_mask', 'word_ids')} for e in ex]
ex_off = [{k: e[k] for k in ('input_ids', 'special_tokens_mask', 'offset_mapping')} for e in ex]
fw = frequency_weights(ex_tok, len(tok))
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    hf = DataCollatorForLanguageModeling(tok, mlm_probability=0.15, seed=0)
    hfw = DataCollatorForLanguageModeling(tok, mlm_probability=0.15, whole_word_mask=True, seed=0)
fs = {
    'hf token': lambda: hf(ex_tok),
    'hf whole-word': lambda: hfw(ex_off),
    'mb token': (lambda c: lambda: c(ex_tok))(DynamicMaskCollator(tok, ratio=0.15, seed=0)),
    'mb token freq-weighted': (lambda c: lambda: c(ex_tok))(DynamicMaskCollator(tok, ratio=0.15, seed=0, token_weights=fw)),
    'mb word word_ids': (lambda c: lambda: c(ex_wid))(DynamicMaskCollator(tok, ratio=0.15, mode='word', seed=0)),
    'mb word freq-weighted': (lambda c: lambda: c(ex_wid))(DynamicMaskCollator(tok, ratio=0.15, mode='word', seed=0, token_weights=fw)),
}
ts = {k: [] for k in fs}
for f in fs.values():
    f()
for _ in range(int(sys.argv[1])):
    for k, f in fs.items():
        t = time.perf_counter()
        f()
        ts[k].append(time.perf_counter() - t)
for k, v in ts.items():
    print(f"{k:24s} min {min(v) * 1e3:7.2f} ms  p10 {sorted(v)[len(v) // 10] * 1e3:7.2f} ms  median {statistics.median(v) * 1e3:7.2f} ms")
m = lambda k: min(ts[k])
print(
    f"min ratios: HF token / mb token {m('hf token') / m('mb token'):.1f}x; HF token / mb freq-weighted {m('hf token') / m('mb token freq-weighted'):.1f}x; "
    f"HF whole-word / mb word freq-weighted {m('hf whole-word') / m('mb word freq-weighted'):.1f}x; weighting overhead token {m('mb token freq-weighted') / m('mb token'):.2f}x, word {m('mb word freq-weighted') / m('mb word word_ids'):.2f}x"
)
