"Word-level mask proportions (token_weights), the split configs, the corpus/task builders and the evaluations of issue 15."

import json, sys, warnings
from pathlib import Path
import numpy as np
import pytest
import torch

torch.set_num_threads(1)
from methodbook.core import BadInputError, BadTypeError, BadFileError, MissingFileError
from methodbook.masking.collator import DynamicMaskCollator, rank_select, select_words, frequency_weights, LossWeights

KW = dict(mask_token_id=4, pad_token_id=0, vocab_size=100, special_ids=[1, 2, 3])


def _rows(n=64, L=40, seed=0):
    g = np.random.default_rng(seed)
    return [[2] + g.integers(5, 100, L - 2).tolist() + [3] for _ in range(n)]


def test_weighted_rank_select_keeps_exact_counts_and_valid_slots():
    g = torch.Generator().manual_seed(0)
    valid = torch.rand(50, 30, generator=g) < 0.7
    n = (valid.sum(1) * 0.4).long()
    w = torch.rand(50, 30, generator=g) * 5
    sel = rank_select(valid, n, g, w)
    assert torch.equal(sel.sum(1), n) and not (sel & ~valid).any()


def test_weighted_selection_follows_the_weights():
    "Heavier slots are picked more often; zero-weight slots only when nothing else is left."
    B = 20000
    w = torch.tensor([8.0, 2.0, 1.0, 1.0, 0.0]).expand(B, 5)
    sel = rank_select(torch.ones(B, 5, dtype=torch.bool), torch.full((B,), 1), torch.Generator().manual_seed(1), w).float().mean(0)
    assert sel[0] > sel[1] > sel[2] and sel[4] == 0
    assert abs(sel[0] - 8 / 12) < 0.02 and abs(sel[1] - 2 / 12) < 0.02  # one pick: exactly proportional to the weight
    all4 = rank_select(torch.ones(3, 5, dtype=torch.bool), torch.full((3,), 5), None, w[:3])
    assert all4.all()  # n = all: the zero-weight slot too


def test_collator_token_weights_change_which_not_how_many():
    rows = _rows()
    plain = DynamicMaskCollator(ratio='uniform:0.1:0.6', seed=3, **KW)
    w = torch.ones(100)
    w[5:50] = 0.05  # ids 5..49 are rarely masked
    heavy = DynamicMaskCollator(ratio='uniform:0.1:0.6', seed=3, token_weights=w, **KW)
    a, b = plain(rows), heavy(rows)
    assert torch.equal((a['labels'] != -100).sum(1), (b['labels'] != -100).sum(1))  # same per-row counts (same drawn ratios)
    ids = torch.tensor(rows)
    low = (ids >= 5) & (ids < 50)
    frac = lambda bb, m: ((bb['labels'] != -100) & m).sum().item() / m.sum().item()
    assert frac(b, low) < 0.5 * frac(b, ~low & (ids >= 5))
    assert abs(frac(a, low) - frac(a, ~low & (ids >= 5))) < 0.05


def test_word_mode_with_weights_keeps_whole_words():
    w = torch.linspace(0.1, 5, 100)
    c = DynamicMaskCollator(ratio=0.4, mode='word', seed=0, token_weights=w, **KW)
    wids = [-1] + [i // 3 for i in range(30)] + [-1]
    ex = [{'input_ids': r[:32], 'word_ids': wids} for r in _rows(16, 32)]
    b = c(ex)
    sel = b['labels'] != -100
    for row in sel:
        for wd in range(10):
            assert row[1 + 3 * wd : 4 + 3 * wd].unique().numel() == 1
    assert torch.equal(c.last_ratios['units'], torch.full((16,), 4))


def test_word_weights_are_the_mean_of_their_tokens():
    wid = torch.tensor([[0, 0, 1, 1, 2, -1]])
    tw = torch.tensor([[9.0, 1.0, 0.0, 0.0, 0.0, 100.0]])
    for s in range(20):
        _, n, wsel = select_words(wid, torch.tensor([0.34]), torch.Generator().manual_seed(s), tw)
        assert n.item() == 1 and wsel[0, 0]  # word 0 (mean 5) always beats the zero-weight words


def test_loss_weights_feed_the_collator_in_place():
    lw = LossWeights(100, momentum=0.0, power=1.0)
    c = DynamicMaskCollator(ratio=0.2, seed=0, token_weights=lw.weights, **KW)
    lw.update(torch.arange(5, 100), torch.where(torch.arange(5, 100) < 50, 0.0, 10.0))
    b = c(_rows(200))
    lab = b['labels'][b['labels'] != -100]
    assert (lab >= 50).float().mean() > 0.95  # ids with loss 0 are (almost) never masked now


def test_loss_weights_ignore_nan_and_check_ids():
    lw = LossWeights(10)
    lw.update(torch.tensor([1, 2]), torch.tensor([float('nan'), 3.0]))
    assert torch.isfinite(lw.weights).all()
    with pytest.raises(BadInputError, match=r'ids must be in \[0, 10\)'):
        lw.update(torch.tensor([10]), torch.tensor([1.0]))
    with pytest.raises(BadInputError, match='2 ids but 1 losses'):
        lw.update(torch.tensor([1, 2]), torch.tensor([1.0]))


def test_frequency_weights_rarer_is_heavier():
    w = frequency_weights([{'input_ids': [5] * 50 + [6] * 5 + [7]}], 10, alpha=1.0)
    assert w[7] > w[6] > w[5] and w[8] > w[7]  # unseen ids: count 0, heaviest
    assert torch.isclose(w[[5, 6, 7]].mean(), torch.tensor(1.0))


@pytest.mark.parametrize(
    'w, err, text',
    [
        ([1.0] * 99, BadInputError, 'has 99 weights but the vocabulary has 100'),
        ([[1.0] * 100], BadInputError, 'must be 1-d'),
        ([1.0] * 99 + [float('nan')], BadInputError, 'NaN or infinite'),
        ([1.0] * 99 + [-1.0], BadInputError, 'must be >= 0'),
        ([0.0] * 100, BadInputError, 'every weight is 0'),
        ('frequency', BadTypeError, 'token_weights must be a 1-d tensor'),
        (['a'] * 100, BadTypeError, 'must hold numbers'),
    ],
)
def test_bad_token_weights(w, err, text):
    with pytest.raises(err, match=text.replace('(', r'\(').replace(')', r'\)')):
        DynamicMaskCollator(token_weights=w, **KW)


def test_token_weights_refused_with_span_mode_and_without_mlm():
    with pytest.raises(BadInputError, match="not 'span'"):
        DynamicMaskCollator(mode='span', token_weights=torch.ones(100), **KW)
    with pytest.raises(BadInputError, match='need mlm=True'):
        DynamicMaskCollator(mlm=False, token_weights=torch.ones(100), **KW)


def test_no_hand_attached_methods_left():
    "Issue 18: methods are attached with fastcore's @patch only."
    import re

    for f in Path('methodbook/masking').glob('*.py'):
        src = f.read_text()
        assert not re.search(r'^[A-Z]\w+\.\w+\s*(,\s*[A-Z]\w+\.\w+\s*)*=\s*\w', src, re.M), f


# ---- configs ----
from methodbook.masking.pretrain import MaskingPretrainConfig, PretrainConfig, train_config, make_collator, mlm_step, pretrain, tiny_bert


def test_deprecated_pretrain_config_warns_and_splits():
    with pytest.warns(DeprecationWarning, match='MaskingPretrainConfig'):
        cfg = PretrainConfig(steps=9, lr=1e-3, seed=4, ratio=0.2, hidden=32)
    m, t = cfg.split()
    assert isinstance(m, MaskingPretrainConfig) and not isinstance(m, PretrainConfig)
    assert (m.ratio, m.hidden, t.max_steps, t.lr, t.seed) == (0.2, 32, 9, 1e-3, 4)


def test_pretrain_refuses_a_wrong_train_config():
    with pytest.raises(BadTypeError, match='train must be a methodbook.train.TrainConfig'):
        pretrain(MaskingPretrainConfig(), train={'max_steps': 3})


def test_loss_weighting_updates_during_training(tmp_path):
    from methodbook.masking.text import read_corpus, train_wordpiece, chunk_examples

    texts = read_corpus('pydoc')[:200]
    tok = train_wordpiece(texts, 300, deterministic=True)
    data = {'tok': tok, 'train': chunk_examples(tok, texts, 32)}
    cfg = MaskingPretrainConfig(ratio=0.3, weighting='loss', weight_power=1.0, vocab_size=300, max_len=32)
    coll, lw = make_collator(cfg, data)
    assert coll.token_weights is lw.weights
    m = tiny_bert(len(tok), 16, 1, 2, 32)
    before = lw.ema.clone()
    mlm_step(m, coll(data['train'][:8]), lw)
    assert (lw.ema != before).sum() > 5
    fcoll, flw = make_collator(MaskingPretrainConfig(ratio=0.3, weighting='frequency', vocab_size=300, max_len=32), data)
    assert flw is None and fcoll.token_weights is not None


# ---- corpus and task ----
from methodbook.masking.corpus import parse_synset_line, lexname_split, wordnet_glosses, mixed_corpus, lexname_task


def test_synset_lines():
    assert parse_synset_line("00002137 03 n 02 abstraction 0 abstract_entity 0 010 @ 00001740 n 0000 | a general concept  ") == (
        'n:00002137',
        3,
        'a general concept',
    )
    with pytest.raises(BadFileError, match='lex_filenum 45 is outside'):
        parse_synset_line("00000001 45 n 01 x 0 000 | y", 'data.noun:9')
    with pytest.raises(BadFileError, match='data.verb:2'):
        parse_synset_line("garbage without a bar", 'data.verb:2')


def test_lexname_split_is_fixed_and_disjoint():
    syn = [(f'v:{i:08d}', i % 45, f'g{i}') for i in range(2000)]
    a, b = lexname_split(syn, seed=3)
    assert not {s[0] for s in a} & {s[0] for s in b}
    assert lexname_split(syn[::-1], seed=3)[1] == b[::-1]
    assert lexname_split(syn, seed=4)[1] != b


def test_wordnet_folder_errors(tmp_path):
    with pytest.raises(MissingFileError, match='has no data.noun'):
        wordnet_glosses(tmp_path)
    for pos in ('noun', 'verb', 'adj', 'adv'):
        (tmp_path / f'data.{pos}').write_text("  licence\n00000001 05 n 01 cat 0 000 | a small animal\n")
    assert wordnet_glosses(tmp_path)[0] == ('n:00000001', 5, 'a small animal')
    (tmp_path / 'data.adv').write_text("not wordnet at all\n")
    with pytest.raises(BadFileError, match='data.adv:1'):
        wordnet_glosses(tmp_path)


def test_mixed_corpus_bad_source():
    with pytest.raises(BadInputError, match="sources must be some of"):
        mixed_corpus(sources=('shakespeare', 'wikipedia'))


def test_lexname_task_from_given_synsets():
    syn = [(f'n:{i:08d}', i % 45, f'gloss {i}') for i in range(900)]
    t = lexname_task(100, 50, seed=0, synsets=syn)
    assert len(t['train'][0]) == 100 and len(t['test'][0]) == 50 and len(t['names']) == 45
    assert not set(t['train'][0]) & set(t['test'][0])


# ---- evaluations ----
from methodbook.masking.evaluate import multi_rate_eval, infill_eval, fill_in_order, infill_demo, time_to_quality


@pytest.fixture(scope='module')
def toy():
    from methodbook.masking.text import read_corpus, train_wordpiece, chunk_examples

    tok = train_wordpiece(read_corpus('pydoc')[:200], 300, deterministic=True)
    return tok, chunk_examples(tok, read_corpus('pydoc')[200:300], 32), tiny_bert(len(tok), 16, 1, 2, 32, seed=0).eval()


def test_fill_in_order_reveals_truth_and_orders_matter(toy):
    tok, ex, m = toy
    ids = torch.tensor([e['input_ids'] for e in ex[:4]])
    pos = torch.tensor([[3, 4, 5]] * 4)
    lp1, _ = fill_in_order(m, ids, pos, tok.mask_token_id)
    lp2, _ = fill_in_order(m, ids, pos.flip(1), tok.mask_token_id)
    assert lp1.shape == (4, 3) and (lp1 <= 0).all()
    for lp, shown, hidden in ((lp1, 3, 5), (lp2, 5, 3)):  # step 2 scores position 4 with one neighbour revealed, one still masked
        x = ids.clone()
        x[:, [4, hidden]] = tok.mask_token_id
        ref = m(input_ids=x).logits[:, 4].log_softmax(-1).gather(1, ids[:, 4:5]).squeeze(1)
        assert torch.allclose(lp[:, 1], ref, atol=1e-5)


def test_evaluation_bad_inputs(toy):
    tok, ex, m = toy
    with pytest.raises(BadInputError, match='rates'):
        multi_rate_eval(m, ex, tok, rates=())
    with pytest.raises(BadInputError, match=r'rates\[...\]'):
        multi_rate_eval(m, ex, tok, rates=(0.0,))
    with pytest.raises(BadInputError, match=r'ks\[...\]'):
        infill_eval(m, ex, tok, ks=(0,))
    with pytest.raises(BadInputError, match='only 0 windows'):
        infill_eval(m, ex, tok, ks=(3,), ctx=60)
    with pytest.raises(BadInputError, match="order must be 'random' or 'l2r'"):
        infill_demo(m, tok, 'a b c', order='sideways')
    with pytest.raises(BadInputError, match='frac'):
        infill_demo(m, tok, 'a b c', frac=0)


def test_time_to_quality_reads_curves():
    rows = [{'arm': 'fixed15', 'seed': s, 'curve': [[10, 6.0], [20, 5.0]]} for s in range(3)] + [{'arm': 'x', 'seed': 0, 'curve': [[10, 4.9], [20, 4.0]]}]
    tq = time_to_quality(rows)
    assert tq['target'] == 5.0 and tq['x']['steps'] == [10] and tq['fixed15']['steps'] == [20, 20, 20] and tq['fixed15']['reached'] == '3/3'


# ---- the experiment driver and the GPU script ----
from methodbook.masking.experiment import run_experiment, read_rows


def test_experiment_bad_inputs(tmp_path):
    base, tr = MaskingPretrainConfig(), train_config(steps=2)
    with pytest.raises(BadInputError, match='seeds is empty'):
        run_experiment(base, tr, tmp_path, seeds=[])
    with pytest.raises(BadInputError, match="arm 'bad'"):
        run_experiment(base, tr, tmp_path, arms={'bad': {'ratio': 'uniform:0.9:0.1'}})
    with pytest.raises(BadTypeError, match='train must be a TrainConfig'):
        run_experiment(base, {'steps': 2}, tmp_path)
    assert not any(tmp_path.iterdir())
    (tmp_path / 'r.jsonl').write_text('{"arm": "a"}\nnot json\n')
    with pytest.raises(BadInputError, match='line 2: not JSON'):
        read_rows(tmp_path / 'r.jsonl')


def test_gpu_script_smoke_runs_on_cpu():
    sys.path.insert(0, 'benchmarks')
    import masking_gpu

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        a = masking_gpu.main(['--smoke'])
    res = Path(a.results)
    train, ev = read_rows(res / 'train.jsonl'), read_rows(res / 'eval.jsonl')
    assert sorted(r['arm'] for r in train) == ['decay', 'fixed15', 'upmlm'] and len(ev) == 3
    assert set(ev[0]['multi_rate']) == {'0.05', '0.15', '0.3', '0.5', '0.8'} and 0 <= ev[0]['lexname_acc'] <= 1
    assert json.loads((res / 'demo.json').read_text())['steps']['upmlm'][-1].count('[MASK]') == 0
    args = masking_gpu.experiment_args(masking_gpu.parse([]))
    assert args[args.index('--steps') + 1] == str(int(10e6 * 1.3 / (128 * 128)))
