"Downstream evaluation protocol (issue 14 item 1): metrics, splits, baselines, early stopping, paired intervals."

import math, warnings
import numpy as np, pytest, torch
from torch import nn

torch.set_num_threads(1)
from methodbook.core import DataUnavailableError
from methodbook.molecules.data import default_smiles, murcko_scaffold
from methodbook.molecules.downstream import (
    BASELINES,
    Task,
    baseline_features,
    cliff_rmse,
    early_stopping,
    evaluate_split,
    fit_baseline,
    fit_property,
    paired_ci,
    paired_rows,
    prepare_task,
    protocol_split,
    score,
    subsample,
    task_subset,
)
from methodbook.molecules.encoder import MolEncoder
from methodbook.molecules.graph import featurize

SM = default_smiles()[:300]


def test_cliff_rmse_hand_made():
    y, pred = np.array([5.0, 6.0, 7.0, 8.0, 9.0]), np.array([5.0, 6.5, 9.0, 5.0, 9.0])
    assert cliff_rmse(y, pred, [0, 0, 1, 1, 0]) == pytest.approx(math.sqrt((4 + 9) / 2))
    assert cliff_rmse(y, pred, [0, 1, 0, 0, 0]) == pytest.approx(0.5)
    assert cliff_rmse(y, pred, np.array([True, True, True, True, True])) == pytest.approx(score('regression', y, pred))
    assert math.isnan(cliff_rmse(y, pred, [0] * 5))


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_scaffold_split_disjoint_and_fractions_nested(seed):
    t = Task('toy', SM, np.arange(len(SM)) % 5, 'regression')
    parts = protocol_split(t, seed=seed)
    scaf = [{murcko_scaffold(SM[i]) for i in p} for p in parts]
    assert not scaf[0] & scaf[2] and not scaf[1] & scaf[2] and not scaf[0] & scaf[1]
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(SM)))
    prev = None
    for frac in (0.1, 0.3, 1.0):
        tr, va, te = protocol_split(t, seed=seed, frac=frac)
        assert np.array_equal(te, parts[2]) and len(tr) == math.ceil(frac * len(parts[0])) and len(va) == math.ceil(frac * len(parts[1]))
        if prev is not None:
            assert set(prev[0]) <= set(tr) and set(prev[1]) <= set(va)
        prev = (tr, va)


def test_fixed_split_keeps_test_and_draws_validation_from_train():
    mask = np.zeros(len(SM), bool)
    mask[::4] = True
    t = Task('fixed', SM, np.arange(len(SM)) % 5, 'regression', cliff=np.arange(len(SM)) % 3 == 0, test_mask=mask)
    tr, va, te = protocol_split(t, seed=3)
    assert np.array_equal(te, np.flatnonzero(mask)) and not set(tr) & set(va) and not (set(tr) | set(va)) & set(te)
    assert len(va) == round(0.1 * (~mask).sum())
    assert not np.array_equal(protocol_split(t, seed=4)[1], va)  # another seed, another validation draw
    s = task_subset(t, [0, 1, 2, 4])
    assert s.cliff.tolist() == [True, False, False, False] and s.test_mask.tolist() == [True, False, False, True]


def test_subsample_nested_and_seeded():
    idx = np.arange(100, 200)
    a, b = subsample(idx, 0.1, 7), subsample(idx, 0.3, 7)
    assert len(a) == 10 and len(b) == 30 and set(a) <= set(b) <= set(idx)
    assert np.array_equal(a, subsample(idx, 0.1, 7)) and not np.array_equal(a, subsample(idx, 0.1, 8))


def test_paired_ci_known_case():
    r = paired_ci([1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0])
    # mean 2.5, sd 1.29099, t(0.975, 3) = 3.18245: half-width 2.05426
    assert r['diff'] == pytest.approx(2.5) and r['lo'] == pytest.approx(0.44574, abs=1e-4) and r['hi'] == pytest.approx(4.55426, abs=1e-4)
    assert r['n'] == 4 and r['method'] == 't'
    r90 = paired_ci([1.0, 2.0, 3.0, 4.0], [0.0] * 4, level=0.9)
    assert r['lo'] < r90['lo'] < r90['hi'] < r['hi']
    z = paired_ci([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert (z['diff'], z['lo'], z['hi']) == (0, 0, 0)
    b = paired_ci(np.arange(20.0), np.zeros(20), method='bootstrap', n_boot=2000)
    assert 6 < b['lo'] < 9.5 < b['hi'] < 13


def test_paired_rows_per_task_and_pooled():
    rows = []
    for t, base in (('a', 1.0), ('b', 2.0), ('c', 3.0)):
        for s in range(3):
            rows += [
                dict(task=t, frac=0.3, seed=s, method='pre', metric=base + 0.1 * s, cliff_rmse=base),
                dict(task=t, frac=0.3, seed=s, method='scratch', metric=base + 0.1 * s + 0.2, cliff_rmse=float('nan')),
            ]
    per = paired_rows(rows, 'pre')
    assert [(r['task'], r['n']) for r in per] == [('a', 3), ('b', 3), ('c', 3)] and all(r['diff'] == pytest.approx(-0.2) for r in per)
    pooled = paired_rows(rows, 'pre', pool={'a', 'b', 'c'}, name='ACE')
    assert len(pooled) == 1 and pooled[0]['task'] == 'ACE' and pooled[0]['n'] == 3 and pooled[0]['diff'] == pytest.approx(-0.2)
    assert paired_rows(rows, 'pre', value='cliff_rmse') == []  # NaN values are not paired


def test_early_stopping_keeps_best_weights():
    m = nn.Linear(2, 1)
    vals = iter([3.0, 1.0, 2.0, 2.5])
    snap = {}

    def loss(model):
        v = next(vals)
        snap[v] = {k: x.clone() for k, x in model.state_dict().items()}
        with torch.no_grad():
            model.weight.add_(1.0)  # the weights move after each evaluation
        return v

    hook = early_stopping(loss, patience=2)
    assert [hook(m)['stop'] for _ in range(4)] == [False, False, False, True]  # the row asks `fit` to stop
    st = hook.state
    assert st['best'] == 1.0 and st['best_eval'] == 2 and st['evals'] == 4
    assert torch.allclose(st['weights']['weight'], snap[1.0]['weight'] + 1.0)  # copied after the evaluation that scored 1.0


@pytest.fixture(scope='module')
def graphs():
    with warnings.catch_warnings(record=True):
        f = featurize(SM[:150])
    return f.graphs, np.array([float((g.x[:, 0] == 6).float().mean()) for g in f.graphs])


def test_fit_property_stops_early_and_restores_best(graphs):
    G, y = graphs
    torch.manual_seed(0)
    ft = fit_property(
        MolEncoder(hidden=16, layers=1), G[:90], y[:90], 'regression', valid=(G[90:120], y[90:120]), max_steps=1000, eval_every=10, patience=2, seed=0
    )
    assert ft.steps < 1000 and ft.best_step % 10 == 0 and ft.best_step <= ft.steps
    # the kept weights are the best ones: their validation loss is the recorded best
    from methodbook.molecules.downstream import _labelled
    from torch_geometric.loader import DataLoader

    b = next(iter(DataLoader(_labelled(G[90:120], y[90:120], ft.mu, ft.sd), batch_size=64)))
    with torch.no_grad():
        v = float(torch.nn.functional.mse_loss(ft.model(b), b.y.view(-1)))
    assert v == pytest.approx(ft.valid_loss, rel=1e-4)
    no_valid = fit_property(MolEncoder(hidden=16, layers=1), G[:90], y[:90], 'regression', max_steps=30)
    assert no_valid.steps == no_valid.best_step == 30 and math.isnan(no_valid.valid_loss)


@pytest.mark.parametrize('kind', ['regression', 'classification'])
def test_every_baseline_predicts(kind):
    rng = np.random.default_rng(0)
    y = (np.arange(60) % 2).astype(float) if kind == 'classification' else rng.normal(size=60)
    for name in BASELINES:
        X = baseline_features(name, SM[:60])
        p = fit_baseline(name, X[:45], y[:45], X[45:], kind, n_trees=20)
        assert p.shape == (15,) and np.isfinite(p).all()


def test_descriptor_baseline_learns_a_descriptor():
    X = baseline_features('descriptors', SM[:200])
    from rdkit.Chem import Descriptors

    y = X[:, [n for n, _ in Descriptors._descList].index('TPSA')]
    p = fit_baseline('RDKit 2D + RF', X[:150], y[:150], X[150:], 'regression', n_trees=50)
    assert score('regression', y[150:], p) < 0.8 * score('regression', y[150:], np.full(50, y[:150].mean()))


def test_evaluate_split_rows_with_cliffs(graphs):
    mask = np.zeros(len(SM[:150]), bool)
    mask[::3] = True
    G, y = graphs
    t = Task('fx', SM[:150], y, 'regression', cliff=np.arange(150) % 2 == 0, test_mask=mask)
    t2, G2 = prepare_task(t)
    assert len(t2) == len(G2) == 150
    rows = evaluate_split(
        t2, 0, 0.3, ('ECFP4 + RF',), None, {'scratch': MolEncoder(hidden=8, layers=1)}, G2, dict(max_steps=20, eval_every=10, patience=1), n_trees=10
    )
    assert [r['method'] for r in rows] == ['ECFP4 + RF', 'scratch']
    assert all(math.isfinite(r['cliff_rmse']) and r['n_test'] == 50 for r in rows)
    assert rows[0]['n_train'] == rows[1]['n_fit'] + rows[1]['n_valid']  # every method sees the same labels


def test_moleculeace_target_loads():
    from methodbook.molecules.downstream import ace_targets, load_ace

    try:
        names = ace_targets()
    except DataUnavailableError as e:
        pytest.skip(f'MoleculeACE not available offline: {e}')
    assert len(names) == 30 and 'CHEMBL2034_Ki' in names
    t = load_ace('CHEMBL2034_Ki')
    assert len(t) == 750 and t.kind == 'regression' and 0 < t.cliff.mean() < 0.6 and 0.1 < t.test_mask.mean() < 0.3
    assert 3 < t.y.mean() < 12  # pK units
