"Bad inputs to the downstream protocol: the right error type, a message naming the input, nothing written."

import importlib.util
from pathlib import Path
import numpy as np, pytest, torch

torch.set_num_threads(1)
from methodbook.core import BadInputError, BadTypeError
from methodbook.molecules.downstream import (
    Task,
    baseline_features,
    cliff_rmse,
    early_stopping,
    evaluate_split,
    fit_baseline,
    fit_property,
    load_ace,
    paired_ci,
    prepare_task,
    protocol_split,
    subsample,
    task_subset,
)
from methodbook.molecules.encoder import MolEncoder

SM = ['CCO', 'CCN', 'c1ccccc1O', 'CC(=O)O', 'CCCC', 'c1ccncc1', 'CCOC', 'C1CCCCC1', 'CC(C)O', 'c1ccccc1N'] * 3
Y = np.arange(len(SM), dtype=float) % 4
TASK = Task('t', SM, Y, 'regression')
X = np.random.default_rng(0).random((len(SM), 8))

CASES = [
    ('cliff flag not 0/1', lambda: cliff_rmse([1.0, 2.0], [1.0, 2.0], [0, 2]), BadInputError, 'cliff'),
    ('cliff flags too short', lambda: cliff_rmse([1.0, 2.0], [1.0, 2.0], [1]), BadInputError, 'cliff'),
    ('pred too short', lambda: cliff_rmse([1.0, 2.0], [1.0], [1, 0]), BadInputError, 'pred'),
    ('y a string', lambda: cliff_rmse('12', [1.0, 2.0], [1, 0]), BadTypeError, 'y'),
    ('Task cliff wrong length', lambda: Task('x', SM[:3], [1.0, 2.0, 3.0], 'regression', cliff=[0, 1]), BadInputError, 'Task.cliff'),
    ('Task test_mask not 0/1', lambda: Task('x', SM[:3], [1.0, 2.0, 3.0], 'regression', test_mask=[0, 1, 5]), BadInputError, 'Task.test_mask'),
    ('task_subset index out of range', lambda: task_subset(TASK, [0, 99]), BadInputError, 'idx'),
    ('task_subset not a task', lambda: task_subset(SM, [0]), BadTypeError, 'task'),
    ('subsample frac 0', lambda: subsample(range(10), 0.0), BadInputError, 'frac'),
    ('subsample frac above 1', lambda: subsample(range(10), 1.5), BadInputError, 'frac'),
    ('subsample frac a string', lambda: subsample(range(10), 'half'), BadTypeError, 'frac'),
    ('subsample negative seed', lambda: subsample(range(10), 0.5, seed=-1), BadInputError, 'seed'),
    ('protocol_split not a task', lambda: protocol_split(SM), BadTypeError, 'task'),
    ('protocol_split valid_frac 1', lambda: protocol_split(TASK, valid_frac=1.0), BadInputError, 'valid_frac'),
    ('protocol_split too few molecules', lambda: protocol_split(Task('x', SM[:3], [1.0, 2.0, 3.0], 'regression')), BadInputError, 'use more molecules'),
    ('baseline unknown', lambda: fit_baseline('GP', X, Y, X, 'regression'), BadInputError, 'baseline'),
    ('baseline kind unknown', lambda: fit_baseline('ECFP4 + RF', X, Y, X, 'ranking'), BadInputError, 'kind'),
    ('baseline no trees', lambda: fit_baseline('ECFP4 + RF', X, Y, X, 'regression', n_trees=0), BadInputError, 'n_trees'),
    ('baseline negative C', lambda: fit_baseline('ECFP + SVM', X, Y, X, 'regression', svm_C=-1.0), BadInputError, 'svm_C'),
    ('baseline one class', lambda: fit_baseline('ECFP4 + RF', X, np.zeros(len(X)), X, 'classification'), BadInputError, 'one class'),
    ('baseline labels too short', lambda: fit_baseline('ECFP4 + RF', X, Y[:3], X, 'regression'), BadInputError, 'y_tr'),
    ('features unknown', lambda: baseline_features('maccs', SM), BadInputError, 'baseline features'),
    ('features invalid SMILES', lambda: baseline_features('descriptors', ['CCO', 'C1CC']), BadInputError, "'C1CC'"),
    ('features a bare string', lambda: baseline_features('ecfp', 'CCO'), BadTypeError, 'smiles'),
    ('early_stopping not callable', lambda: early_stopping(3.0), BadTypeError, 'loss_fn'),
    ('early_stopping patience 0', lambda: early_stopping(lambda m: 1.0, patience=0), BadInputError, 'patience'),
    ('fit_property not an encoder', lambda: fit_property('enc.pt', [], [], 'regression'), BadTypeError, 'encoder'),
    ('paired_ci lengths differ', lambda: paired_ci([1.0, 2.0, 3.0], [1.0, 2.0]), BadInputError, 'b'),
    ('paired_ci one pair', lambda: paired_ci([1.0], [2.0]), BadInputError, 'at least 2 pairs'),
    ('paired_ci NaN', lambda: paired_ci([1.0, float('nan')], [1.0, 2.0]), BadInputError, 'a'),
    ('paired_ci method', lambda: paired_ci([1.0, 2.0], [1.0, 2.0], method='wilcoxon'), BadInputError, 'method'),
    ('paired_ci level', lambda: paired_ci([1.0, 2.0], [1.0, 2.0], level=95), BadInputError, 'level'),
    ('paired_ci a string', lambda: paired_ci('12', [1.0, 2.0]), BadTypeError, 'a'),
    ('load_ace unknown target', lambda: load_ace('CHEMBL0_Ki'), BadInputError, 'MoleculeACE target'),
    ('load_ace not a string', lambda: load_ace(2034), BadTypeError, 'target'),
    ('prepare_task not a task', lambda: prepare_task(SM), BadTypeError, 'task'),
    ('evaluate_split unknown baseline', lambda: evaluate_split(TASK, baselines=('kNN',)), BadInputError, 'baseline'),
    (
        'evaluate_split encoders without graphs',
        lambda: evaluate_split(TASK, baselines=(), encoders={'s': MolEncoder(hidden=8, layers=1)}),
        BadInputError,
        'graphs',
    ),
]


@pytest.mark.parametrize('name,fn,exc,msg', CASES, ids=[c[0] for c in CASES])
def test_bad_input(name, fn, exc, msg):
    if name.startswith('load_ace'):
        from methodbook.core import DataUnavailableError
        from methodbook.molecules.downstream import ace_targets

        try:
            ace_targets()
        except DataUnavailableError:
            pytest.skip('MoleculeACE not available offline')
    with pytest.raises(exc, match=None) as e:
        fn()
    assert msg in str(e.value), str(e.value)


def _graphs(n=12):
    import warnings
    from methodbook.molecules.graph import featurize

    with warnings.catch_warnings(record=True):
        return featurize(SM[:n]).graphs


@pytest.mark.parametrize(
    'kw,exc,msg',
    [
        (dict(max_steps=0), BadInputError, 'max_steps'),
        (dict(eval_every=0), BadInputError, 'eval_every'),
        (dict(batch_size=0), BadInputError, 'batch_size'),
        (dict(lr=0.0), BadInputError, 'lr'),
        (dict(valid='val.csv'), BadTypeError, 'valid'),
        (dict(valid=([], [])), BadInputError, 'valid graphs'),
        (dict(kind='ranking'), BadInputError, 'kind'),
    ],
)
def test_fit_property_bad_settings(kw, exc, msg):
    G = _graphs()
    if kw.get('valid') == ([], []):
        kw = dict(valid=([], []))
    args = dict(kind='regression') | kw
    kind = args.pop('kind')
    with pytest.raises(exc) as e:
        fit_property(MolEncoder(hidden=8, layers=1), G, Y[:12], kind, **args)
    assert msg in str(e.value), str(e.value)


def test_fit_property_valid_labels_mismatch():
    G = _graphs()
    with pytest.raises(BadInputError, match='valid labels'):
        fit_property(MolEncoder(hidden=8, layers=1), G[:8], Y[:8], 'regression', valid=(G[8:], Y[:2]))


def _script():
    p = Path(__file__).parents[1] / 'benchmarks' / 'molecules_downstream.py'
    spec = importlib.util.spec_from_file_location('molecules_downstream_bench', p)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


@pytest.mark.parametrize(
    'argv,msg',
    [
        (['--arms', 'gnn,transformer'], "'transformer'"),
        (['--datasets', 'tox21'], "'tox21'"),
        (['--fracs', '0.1,1.5'], '--fracs'),
        (['--fracs', 'half'], '--fracs'),
        (['--seeds', '0'], '--seeds'),
        (['--max-steps', '0'], '--max-steps'),
        (['--until', '25:99'], '--until'),
    ],
)
def test_benchmark_script_refuses_bad_options_before_writing(tmp_path, argv, msg):
    out = tmp_path / 'rows.jsonl'
    with pytest.raises(BadInputError) as e:
        _script().main(argv + ['--out', str(out)])
    assert msg in str(e.value) and not out.exists()


def test_benchmark_script_refuses_unknown_target(tmp_path):
    from methodbook.core import DataUnavailableError
    from methodbook.molecules.downstream import ace_targets

    try:
        ace_targets()
    except DataUnavailableError:
        pytest.skip('MoleculeACE not available offline')
    out = tmp_path / 'rows.jsonl'
    with pytest.raises(BadInputError, match='CHEMBL1_Ki'):
        _script().main(['--datasets', 'ace', '--ace-targets', 'CHEMBL1_Ki', '--out', str(out)])
    assert not out.exists()


def test_benchmark_script_refuses_encoders_of_different_featurizations(tmp_path):
    "One graph list per run: an atom-only encoder next to an atom-group one is refused before anything is written."
    dirs = []
    for groups in (True, False):
        e = MolEncoder(hidden=8, layers=1)
        e.featurization = dict(e.featurization or {}, groups=groups)
        e.save(tmp_path / f'enc_{groups}')
        dirs.append(tmp_path / f'enc_{groups}')
    out = tmp_path / 'rows.jsonl'
    with pytest.raises(BadInputError, match='different featurizations') as e:
        _script().main(['--arms', 'gnn', '--datasets', 'freesolv', '--encoder', f'a={dirs[0]}', '--encoder', f'b={dirs[1]}', '--out', str(out)])
    assert "'groups': False" in str(e.value) and not out.exists()
