"""HF conformance: the assertions of Hugging Face's own tests for `DataCollatorForLanguageModeling`
(transformers, tests/trainer/test_data_collator.py: `_test_no_pad_and_pad` for torch and NumPy, whole-word
masking, NSP, SOP, the immutability tests, the seed tests and the probability-argument tests), run against BOTH
HF's collator and `DynamicMaskCollator` through one factory.

One assertion is ported in the form that holds at every seed: HF checks `all(labels[input_ids != [MASK]] == -100)`
after `set_seed(42)` with the default 80/10/10 replacement, which is only true when no selected token was
randomly replaced or kept. HF's own collator passes it at 90 of 200 seeds (0-199, measured here), so it is a
property of seed 42's draws, not of a collator. Here it is checked with `mask_replace_prob=1` (where it must
hold), and under 80/10/10 the seed-free part is checked: a new [MASK] carries its original id as label and
every label is -100 or the original id. Ported, not copied: the fixtures (a BertTokenizer
over a vocabulary of five special tokens, ids 0-9) and the assertions are HF's; where transformers 5 changed
an API the test follows transformers 5 (whole-word masking is the `whole_word_mask=True` flag and needs
`offset_mapping`; removing the pad token is `tokenizer.pad_token = None`).

Below them, cross checks that compare the two collators' outputs directly where both are deterministic
(causal-LM labels, padding on either side, extra keys)."""

import numpy as np
import pytest
import torch

torch.set_num_threads(1)
from transformers import BertTokenizer, DataCollatorForLanguageModeling, set_seed
from methodbook.masking.collator import DynamicMaskCollator

pytestmark = pytest.mark.filterwarnings('ignore:every one of the:UserWarning', 'ignore:Random token replacement:UserWarning')
KINDS = ['hf', 'methodbook']
VOCAB = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]


def make(kind, tokenizer, **kw):
    "The collator under test, built from HF's own constructor arguments."
    return DataCollatorForLanguageModeling(tokenizer, **kw) if kind == 'hf' else DynamicMaskCollator(tokenizer, **kw)


@pytest.fixture
def vocab_file(tmp_path):
    f = tmp_path / 'vocab.txt'
    f.write_text(''.join(t + '\n' for t in VOCAB))
    return str(f)


def shape(x):
    return tuple(x.shape)


def _no_pad_and_pad(kind, vocab_file, no_pad_features, pad_features, rt):
    "HF's `_test_no_pad_and_pad`, for return_tensors `rt`."
    anyf = torch.any if rt == 'pt' else np.any
    tokenizer = BertTokenizer(vocab_file)
    data_collator = make(kind, tokenizer, mlm=False, return_tensors=rt)
    batch = data_collator(no_pad_features)
    assert shape(batch["input_ids"]) == (2, 10) and shape(batch["labels"]) == (2, 10)
    batch = data_collator(pad_features)
    assert shape(batch["input_ids"]) == (2, 10) and shape(batch["labels"]) == (2, 10)

    data_collator = make(kind, tokenizer, mlm=False, pad_to_multiple_of=8, return_tensors=rt)
    batch = data_collator(no_pad_features)
    assert shape(batch["input_ids"]) == (2, 16) and shape(batch["labels"]) == (2, 16)
    batch = data_collator(pad_features)
    assert shape(batch["input_ids"]) == (2, 16) and shape(batch["labels"]) == (2, 16)

    tokenizer.pad_token = None
    data_collator = make(kind, tokenizer, mlm=False, return_tensors=rt)
    with pytest.raises(ValueError):  # padding token missing
        data_collator(pad_features)

    set_seed(42)
    tokenizer = BertTokenizer(vocab_file)
    for kw in ({}, {'pad_to_multiple_of': 8}):
        L = 16 if kw else 10
        data_collator = make(kind, tokenizer, return_tensors=rt, **kw)
        exact = make(kind, tokenizer, return_tensors=rt, mask_replace_prob=1.0, random_replace_prob=0.0, **kw)
        for feats in (no_pad_features, pad_features):
            batch = data_collator(feats)
            assert shape(batch["input_ids"]) == (2, L) and shape(batch["labels"]) == (2, L)
            masked_tokens = batch["input_ids"] == tokenizer.mask_token_id
            assert anyf(masked_tokens)
            _labels_only_where_selected(batch, feats, tokenizer)
            # HF's `all(labels[~masked_tokens] == -100)` holds for any seed only when every selected token becomes [MASK]
            batch = exact(feats)
            masked_tokens = batch["input_ids"] == tokenizer.mask_token_id
            assert all(x == -100 for x in batch["labels"][~masked_tokens].tolist())


def _labels_only_where_selected(batch, feats, tokenizer):
    "What holds at every seed under 80/10/10: a new [MASK] is labelled with the original id; other labels are the original ids."
    ids = [f["input_ids"] if isinstance(f, dict) else f for f in feats]
    L = np.asarray(batch["input_ids"]).shape[1]
    orig = np.array([list(r) + [tokenizer.pad_token_id] * (L - len(r)) for r in ids])
    inp, lab = np.asarray(batch["input_ids"]), np.asarray(batch["labels"])
    new_mask = (inp == tokenizer.mask_token_id) & (orig != tokenizer.mask_token_id)
    assert (lab[new_mask] == orig[new_mask]).all()
    assert ((lab == -100) | (lab == orig)).all()


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('rt', ['pt', 'np'])
@pytest.mark.parametrize('as_dict', [True, False])
def test_data_collator_for_language_modeling(kind, vocab_file, rt, as_dict):
    wrap = (lambda x: {"input_ids": x}) if as_dict else (lambda x: x)
    _no_pad_and_pad(kind, vocab_file, [wrap(list(range(10))), wrap(list(range(10)))], [wrap(list(range(5))), wrap(list(range(10)))], rt)


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('rt', ['pt', 'np'])
def test_data_collator_for_whole_word_mask(kind, vocab_file, rt):
    tokenizer = BertTokenizer(vocab_file)
    input_tokens = [f"token_{i}" for i in range(8)]
    tokenizer.add_tokens(input_tokens)
    features = [tokenizer(" ".join(input_tokens), return_offsets_mapping=True) for _ in range(2)]
    data_collator = make(kind, tokenizer, whole_word_mask=True, return_tensors=rt)
    batch = data_collator(features)
    assert shape(batch["input_ids"]) == (2, 10) and shape(batch["labels"]) == (2, 10)
    # features can already be tensors
    features = [tokenizer(" ".join(input_tokens), return_offsets_mapping=True).convert_to_tensors("np") for _ in range(2)]
    batch = data_collator(features)
    assert shape(batch["input_ids"]) == (2, 10) and shape(batch["labels"]) == (2, 10)


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('label', ['next_sentence_label', 'sentence_order_label'])
@pytest.mark.parametrize('as_tensor', [False, True])
def test_nsp_sop(kind, vocab_file, label, as_tensor):
    "HF's test_nsp (lists) and test_sop (tensors), for both labels and both input kinds."
    tokenizer = BertTokenizer(vocab_file)
    t = torch.tensor if as_tensor else list
    features = [{"input_ids": t([0, 1, 2, 3, 4]), "token_type_ids": t([0, 1, 2, 3, 4]), label: i} for i in range(2)]
    for kw, L in (({}, 5), ({'pad_to_multiple_of': 8}, 8)):
        batch = make(kind, tokenizer, **kw)(features)
        assert shape(batch["input_ids"]) == (2, L) and shape(batch["token_type_ids"]) == (2, L)
        assert shape(batch["labels"]) == (2, L) and shape(batch[label]) == (2,)


def _as_plain(x):
    return x.tolist() if isinstance(x, (np.ndarray, torch.Tensor)) else x


def _compare_with_collator(collator, original, batch):
    "HF's `_compare_assert_with_collator`: collating must not change the features."
    collator(batch)
    for o, b in zip(original, batch):
        for k in o:
            assert _as_plain(o[k]) == _as_plain(b[k]), k


def _features(base, datatype_input, datatype_label, ignore_label=True):
    out = [{"labels": datatype_label(s["labels"]), "input_ids": datatype_input(s["input_ids"])} for s in base]
    if ignore_label:
        for f in out:
            f.pop("labels")
    return out


@pytest.mark.parametrize('kind', KINDS)
def test_language_modelling_collator_immutability(kind, vocab_file):
    tokenizer = BertTokenizer(vocab_file)
    no_pad = [{"input_ids": tuple(range(10)), "labels": (1,)}, {"input_ids": tuple(range(10)), "labels": (1,)}]
    pad = [{"input_ids": tuple(range(5)), "labels": (1,)}, {"input_ids": tuple(range(5)), "labels": (1,)}]
    collators = [
        make(kind, tokenizer, mlm=False),
        make(kind, tokenizer, mlm=False, pad_to_multiple_of=8),
        make(kind, tokenizer),
        make(kind, tokenizer, pad_to_multiple_of=8),
    ]
    for di, dl in [(list, list), (torch.tensor, torch.tensor)]:
        for c in collators:
            for base in (no_pad, pad):
                _compare_with_collator(c, _features(base, di, dl), _features(base, di, dl))


@pytest.mark.parametrize('kind', KINDS)
def test_whole_word_masking_collator_immutability(kind, vocab_file):
    tokenizer = BertTokenizer(vocab_file)
    input_tokens = [f"token_{i}" for i in range(8)]
    tokenizer.add_tokens(input_tokens)
    mk = lambda: [dict(tokenizer(" ".join(input_tokens), return_offsets_mapping=True)) for _ in range(2)]
    _compare_with_collator(make(kind, tokenizer, whole_word_mask=True), mk(), mk())


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('label, t', [('next_sentence_label', list), ('sentence_order_label', torch.tensor)])
def test_nsp_sop_collator_immutability(kind, vocab_file, label, t):
    tokenizer = BertTokenizer(vocab_file)
    mk = lambda: [{"input_ids": t([0, 1, 2, 3, 4]), "token_type_ids": t([0, 1, 2, 3, 4]), label: i} for i in range(2)]
    for kw in ({}, {'pad_to_multiple_of': 8}):
        _compare_with_collator(make(kind, tokenizer, **kw), mk(), mk())


@pytest.mark.parametrize('kind', KINDS)
def test_data_collator_for_language_modeling_with_seed(kind, vocab_file):
    tokenizer = BertTokenizer(vocab_file)
    features = [{"input_ids": list(range(1000))}, {"input_ids": list(range(1000))}]
    batch_1 = make(kind, tokenizer, seed=42)(features)
    assert shape(batch_1["input_ids"]) == (2, 1000) and shape(batch_1["labels"]) == (2, 1000)
    batch_2 = make(kind, tokenizer, seed=42)(features)
    assert torch.all(batch_1["input_ids"] == batch_2["input_ids"]) and torch.all(batch_1["labels"] == batch_2["labels"])
    # the seed is respected with several DataLoader workers
    features = [{"input_ids": list(range(1000))} for _ in range(10)]
    runs = []
    for _ in range(2):
        dl = torch.utils.data.DataLoader(
            features, batch_size=2, num_workers=2, generator=torch.Generator().manual_seed(42), collate_fn=make(kind, tokenizer, seed=42)
        )
        bs = list(dl)
        runs.append((torch.stack([b["input_ids"] for b in bs]), torch.stack([b["labels"] for b in bs])))
    assert shape(runs[0][0]) == (5, 2, 1000)
    assert torch.all(runs[0][0] == runs[1][0]) and torch.all(runs[0][1] == runs[1][1])
    # another seed, another batch
    batch_5 = make(kind, tokenizer, seed=43)(features[:2])
    assert not torch.all(batch_1["input_ids"] == batch_5["input_ids"])


@pytest.mark.parametrize('kind', KINDS)
def test_probability_arguments(kind, vocab_file):
    "HF's probability tests: the sum of the replacement shares, their defaults and edge values, mlm_probability's range."
    tokenizer = BertTokenizer(vocab_file)
    with pytest.raises(ValueError):
        make(kind, tokenizer, mask_replace_prob=0.9, random_replace_prob=0.2)
    c = make(kind, tokenizer)
    assert (c.mask_replace_prob, c.random_replace_prob, c.mlm_probability) == (0.8, 0.1, 0.15)
    for m, r in ((0.5, 0.3), (0.0, 1.0), (1.0, 0.0), (0.0, 0.0)):
        c = make(kind, tokenizer, mask_replace_prob=m, random_replace_prob=r)
        assert (c.mask_replace_prob, c.random_replace_prob) == (m, r)
    for bad in (-0.1, 1.1, None):
        with pytest.raises(ValueError):
            make(kind, tokenizer, mlm_probability=bad)
    with pytest.raises(ValueError):
        make(kind, tokenizer, mlm=False, whole_word_mask=True)
    tokenizer.mask_token = None
    with pytest.raises(ValueError):
        make(kind, tokenizer)  # MLM without a mask token
    make(kind, tokenizer, mlm=False)  # causal LM does not need one


@pytest.mark.parametrize('kind', KINDS)
def test_replacement_extremes(kind, vocab_file):
    "mask_replace_prob=1: every labelled position holds [MASK]; both shares 0: the inputs are unchanged but labelled."
    tokenizer = BertTokenizer(vocab_file)
    features = [{"input_ids": list(range(1000))} for _ in range(2)]
    b = make(kind, tokenizer, mask_replace_prob=1.0, random_replace_prob=0.0, seed=0)(features)
    sel = b["labels"] != -100
    assert sel.any() and (b["input_ids"][sel] == tokenizer.mask_token_id).all()
    b = make(kind, tokenizer, mask_replace_prob=0.0, random_replace_prob=0.0, seed=0)(features)
    sel = b["labels"] != -100
    assert sel.any() and (b["input_ids"] == torch.arange(1000)).all() and (b["labels"][sel] == b["input_ids"][sel]).all()


# ---- cross checks: the two collators must agree exactly where neither draws random numbers ----


@pytest.mark.parametrize('side', ['right', 'left'])
@pytest.mark.parametrize('rt', ['pt', 'np'])
def test_causal_lm_outputs_match_hf(vocab_file, side, rt):
    tokenizer = BertTokenizer(vocab_file)
    tokenizer.padding_side = side
    feats = [
        {"input_ids": [1, 7, 8, 2], "token_type_ids": [0, 0, 1, 1], "next_sentence_label": 1},
        {"input_ids": [1, 9, 2], "token_type_ids": [0, 0, 0], "next_sentence_label": 0},
    ]
    for kw in ({}, {'pad_to_multiple_of': 8}):
        hf, ours = make('hf', tokenizer, mlm=False, return_tensors=rt, **kw)(feats), make('methodbook', tokenizer, mlm=False, return_tensors=rt, **kw)(feats)
        assert set(hf) == set(ours)
        for k in hf:
            assert np.asarray(hf[k]).tolist() == np.asarray(ours[k]).tolist(), (k, side)
        assert type(ours['input_ids']) is type(hf['input_ids'])


@pytest.mark.parametrize('side', ['right', 'left'])
def test_mlm_keeps_structure_of_hf_batch(vocab_file, side):
    "With masking on, the tensors that do not depend on the draw (shapes, attention mask, padding, extra keys) are HF's."
    tokenizer = BertTokenizer(vocab_file)
    tokenizer.padding_side = side
    feats = [
        {"input_ids": list(range(10)), "sentence_order_label": 1, "token_type_ids": [0] * 10},
        {"input_ids": list(range(6)), "sentence_order_label": 0, "token_type_ids": [1] * 6},
    ]
    hf, ours = make('hf', tokenizer, seed=0)(feats), make('methodbook', tokenizer, seed=0)(feats)
    assert set(hf) == set(ours)
    for k in ('attention_mask', 'token_type_ids', 'sentence_order_label'):
        assert hf[k].tolist() == ours[k].tolist(), k
    pad = hf['attention_mask'] == 0
    assert (ours['input_ids'][pad] == tokenizer.pad_token_id).all() and (ours['labels'][pad] == -100).all()
