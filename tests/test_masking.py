"Property tests and integration tests for methodbook.masking (collator invariants, HF Trainer, bad input)."

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st, HealthCheck

torch.set_num_threads(1)
from methodbook.masking.collator import DynamicMaskCollator, rank_select
from methodbook.masking.ratio import parse_ratio

PAD, CLS, SEP, MASK = 0, 1, 2, 4
SPECIAL = [PAD, CLS, SEP, 3, MASK]
V = 60

rows_st = st.lists(st.lists(st.integers(0, V - 1), min_size=0, max_size=40).map(lambda r: [CLS] + r + [SEP]), min_size=1, max_size=8)
ratio_st = st.sampled_from(['0.15', '0.4', 'uniform:0.05:0.9', 'beta:2:3:0.1:0.8', 'truncnorm:0.3:0.2:0.05:0.95', 'choice:0.1,0.5,0.9'])


def coll(ratio, mode='token', seed=0, **kw):
    return DynamicMaskCollator(ratio=ratio, mode=mode, seed=seed, mask_token_id=MASK, pad_token_id=PAD, vocab_size=V, special_ids=SPECIAL, **kw)


def padded(rows):
    L = max(map(len, rows))
    x = torch.full((len(rows), L), PAD)
    for i, r in enumerate(rows):
        x[i, : len(r)] = torch.tensor(r)
    return x


def word_ids_for(rows, rng):
    "Random contiguous words over the non-special tokens; a special token ends a word (-1 there)."
    out = []
    for r in rows:
        sp = np.isin(r, SPECIAL)
        new = (rng.random(len(r)) < 0.5) | np.r_[True, sp[:-1]]
        w = np.cumsum(new & ~sp) - 1
        out.append(np.where(sp, -1, w).tolist())
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_st, ratio=ratio_st, mode=st.sampled_from(['token', 'word', 'span']), seed=st.integers(0, 2**16))
def test_invariants(rows, ratio, mode, seed):
    rng = np.random.default_rng(seed)
    ex = [{'input_ids': r, 'word_ids': w} for r, w in zip(rows, word_ids_for(rows, rng))]
    c = coll(ratio, mode, seed)
    b = c(ex)
    orig = padded(rows)
    sel = b['labels'] != -100
    maskable = (b['attention_mask'] == 1) & ~torch.isin(orig, torch.tensor(SPECIAL))
    assert not (sel & ~maskable).any()  # no special or pad token selected
    assert (b['labels'][sel] == orig[sel]).all()  # labels hold the original ids where selected
    assert (b['input_ids'][~sel] == orig[~sel]).all()  # nothing outside the selection changes
    m = maskable.sum(1)
    r = c.last_ratios
    if mode == 'word':
        W = torch.tensor([max(w) + 1 if max(w) >= 0 else 0 for w in (e['word_ids'] for e in ex)])
        units = torch.where(W > 0, torch.round(r['drawn'].double() * W).long().clamp(min=1), 0).minimum(W)
        for i, e in enumerate(ex):  # whole words: all tokens of a word or none
            w = torch.tensor(e['word_ids'])
            for k in range(int(W[i])):
                assert sel[i, : len(w)][w == k].unique().numel() == 1
        chosen = torch.tensor([len({w for w, s in zip(e['word_ids'], sel[i].tolist()) if s}) for i, e in enumerate(ex)])
        assert (chosen == units).all()  # exactly n_i words
    else:
        want = torch.where(m > 0, torch.round(r['drawn'].double() * m).long().clamp(min=1), 0).minimum(m)
        assert (sel.sum(1) == want).all()  # exactly n_i tokens
        assert torch.allclose(r['realized'], want / m.clamp(min=1))
    b2 = coll(ratio, mode, seed)(ex)  # reproducible with a seed
    assert all((b[k] == b2[k]).all() for k in b)


def test_replacement_proportions():
    g = np.random.default_rng(0)
    rows = [[CLS] + g.integers(5, V, 300).tolist() + [SEP] for _ in range(64)]
    orig = padded(rows)
    b = coll(0.5, seed=1)(rows)
    sel = b['labels'] != -100
    n = sel.sum().item()
    masked = (b['input_ids'][sel] == MASK).float().mean().item()
    kept = (b['input_ids'][sel] == orig[sel]).float().mean().item()
    assert abs(masked - 0.8) < 0.015 and abs(kept - (0.1 + 0.1 / (V - len(SPECIAL)))) < 0.015, (n, masked, kept)
    assert not torch.isin(b['input_ids'][sel & (b['input_ids'] != MASK)], torch.tensor(SPECIAL)).any()  # random ids are never special


def test_realized_mean_10k():
    g = np.random.default_rng(0)
    rows = [[CLS] + g.integers(5, V, int(L)).tolist() + [SEP] for L in g.integers(100, 300, 1000)]
    for spec in ['uniform:0.15:0.5', 'beta:2:5:0.05:0.6']:
        c = coll(spec, seed=0)
        real = []
        for _ in range(10):
            c(rows)
            real.append(c.last_ratios['realized'])
        assert abs(torch.cat(real).double().mean().item() - parse_ratio(spec).mean()) < 0.005


def test_bad_input():
    c = coll(0.15)
    with pytest.raises(ValueError, match='no input_ids'):
        c([[CLS, SEP], []])
    with pytest.raises(ValueError, match='empty list'):
        c([])
    with pytest.raises(ValueError, match=r'must be in \[0, 1\]'):
        coll(1.5)
    with pytest.raises(ValueError, match=r"'uniform:0.1:1.2': hi must be in \[0, 1\]"):
        coll('uniform:0.1:1.2')
    with pytest.raises(ValueError, match='could not be parsed'):
        coll('uniform:x')
    b0 = coll(0.0)([[CLS, 7, 8, SEP]])  # ratio 0: nothing masked (HF's mlm_probability=0)
    assert (b0['labels'] == -100).all()
    b = c([[CLS, SEP], [CLS, SEP, PAD]])  # only special tokens: documented no-op
    assert (b['labels'] == -100).all() and c.last_ratios['units'].tolist() == [0, 0]


@pytest.fixture(scope='module')
def tok():
    from methodbook.masking.text import read_corpus, train_wordpiece

    return train_wordpiece(read_corpus('pydoc')[:300], vocab_size=600)


def test_tokenizer_without_mask_token(tok):
    from transformers import PreTrainedTokenizerFast

    t2 = PreTrainedTokenizerFast(tokenizer_object=tok.backend_tokenizer, pad_token='[PAD]')
    with pytest.raises(ValueError, match='no mask token'):
        DynamicMaskCollator(t2)


def test_whole_word_from_tokenizer(tok):
    from methodbook.masking.text import read_corpus

    enc = tok(read_corpus('pydoc')[:16], truncation=True, max_length=64, return_offsets_mapping=True)
    ex_off = [{'input_ids': enc['input_ids'][i], 'offset_mapping': enc['offset_mapping'][i]} for i in range(16)]
    ex_wid = [{'input_ids': enc['input_ids'][i], 'word_ids': enc.word_ids(i)} for i in range(16)]
    ex_ids = [e['input_ids'] for e in ex_off]
    outs = [DynamicMaskCollator(tok, ratio=0.3, mode='word', seed=3)(e) for e in (ex_off, ex_wid, ex_ids)]
    assert (outs[1]['labels'] == outs[2]['labels']).all()  # word ids and the '##' table find the same words
    # offsets (HF's rule) join punctuation to the word it touches, so words are coarser; all rows still get masks
    assert ((outs[0]['labels'] != -100).sum(1) > 0).all()


def test_hf_trainer_steps_and_ratio_schedule(tok, tmp_path):
    "A real Trainer run: the collator's callback moves a 50% -> 10% schedule with the global step."
    from transformers import Trainer, TrainingArguments
    from methodbook.masking.pretrain import tiny_bert
    from methodbook.masking.text import read_corpus, chunk_examples

    ex = chunk_examples(tok, read_corpus('pydoc')[:80], max_len=32)
    model = tiny_bert(len(tok), hidden=32, layers=1, heads=2, max_len=32)
    c = DynamicMaskCollator(tok, ratio='linear:0.5:0.1:4', mode='word', seed=0)
    seen = []

    def collate(b):
        out = c(b)
        seen.append((c.step, float(c.last_ratios['drawn'][0])))
        return out

    args = TrainingArguments(
        output_dir=str(tmp_path),
        max_steps=4,
        per_device_train_batch_size=4,
        report_to=[],
        use_cpu=True,
        save_strategy='no',
        logging_steps=1,
        remove_unused_columns=False,
        disable_tqdm=True,
    )
    out = Trainer(model=model, args=args, train_dataset=ex, data_collator=collate, callbacks=[c.trainer_callback()]).train()
    assert out.global_step == 4 and np.isfinite(out.training_loss)
    steps = [s for s, _ in seen]
    assert steps == sorted(steps) and steps[0] == 0 and steps[-1] >= 2, seen  # the schedule followed the Trainer
    assert seen[-1][1] < seen[0][1] == 0.5


def test_step_reaches_dataloader_workers():
    "The step lives in shared memory: a persistent worker process sees the main process move it."
    c = coll('linear:0.5:0.1:10', seed=0)
    rows = [[CLS] + list(range(5, 45)) + [SEP]] * 4

    def collate(b):
        c(b)
        return c.last_ratios['drawn'][:1]

    dl = torch.utils.data.DataLoader(rows, batch_size=2, num_workers=1, collate_fn=collate, persistent_workers=True)
    first = torch.cat(list(dl))
    c.step = 10
    second = torch.cat(list(dl))
    assert torch.allclose(first, torch.tensor(0.5)) and torch.allclose(second, torch.tensor(0.1))


def test_cli_through_methodbook(capsys):
    from methodbook.cli import main

    assert main(['masking', 'ratios', '--ratio', 'uniform:0.15:0.5', '--n', '2000']) == 0
    assert 'expected 0.3250' in capsys.readouterr().out
    assert main(['masking', 'ratios', '--ratio', 'fixed:1.5']) == 2
    assert main(['masking', 'mask', '--text', 'The import statement binds names.', '--mode', 'token']) == 0


def test_rank_select_exact_counts_with_tied_scores(monkeypatch):
    "A tie at a row's threshold score (equal float32 draws) must not pick an extra slot: that row falls back to a stable ranking."
    import numpy as np
    import methodbook.masking.collator as C

    s = np.array([[0.1, 0.1, 0.1, 0.5, 0.7], [0.3, 0.2, 0.2, 0.9, 0.2]], dtype=np.float32)
    monkeypatch.setattr(C, '_rank_scores', lambda valid, g, w: s.copy())
    sel = C.rank_select(torch.ones(2, 5, dtype=torch.bool), torch.tensor([2, 1]))
    assert sel.sum(1).tolist() == [2, 1]
    assert sel[0, :3].sum() == 2 and not sel[0, 3:].any()
    assert sel[1].nonzero().squeeze(1).tolist()[0] in (1, 2, 4)
    assert len(C.rank_pick(torch.ones(2, 5, dtype=torch.bool), torch.tensor([2, 1]))) == 3


def test_rank_select_matches_a_full_sort():
    "The value-threshold selection picks the same slots as ranking the same scores with a full argsort."
    g = torch.Generator().manual_seed(7)
    valid = torch.rand(64, 300, generator=g) < 0.85
    for n in ((valid.sum(1) * torch.rand(64, generator=g)).long(), torch.full((64,), 30), torch.zeros(64, dtype=torch.long)):
        s = torch.rand(64, 300, generator=torch.Generator().manual_seed(3)).masked_fill_(~valid, 2.0)
        full = torch.zeros(64, 300, dtype=torch.bool).scatter_(1, s.argsort(1), torch.arange(300).expand(64, 300) < n[:, None])
        sel = rank_select(valid, n, torch.Generator().manual_seed(3))
        assert torch.equal(sel, full)
        assert sel.sum(1).tolist() == n.tolist()
