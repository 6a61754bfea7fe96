"Bad inputs to methodbook.chips, through the API and `methodbook chips ...`: the error type, a message that names the culprit, nothing written."

import math, os
from pathlib import Path
import numpy as np
import pytest
import torch

torch.set_num_threads(1)
from PIL import Image
from methodbook.core import BadInputError, BadTypeError, BadFileError, MissingFileError
from methodbook.chips import cli
from methodbook.chips.supernet import Arch, SearchSpace, Supernet
from methodbook.chips.data import image_data, image_folder_data, cifar10_data, digits_data
from methodbook.chips.latency import CHIP_SPECS, ChipLatency, LatencyTable, load_chips, get_chip
from methodbook.chips.search import AccuracyTable, Condition, Objective, evolutionary_search, random_search, hypervolume_2d
from methodbook.chips.export import export_model, load_exported

SP = SearchSpace()


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    "A throwaway cache: a test that trained anything leaves cache/chips behind."
    monkeypatch.setenv('METHODBOOK_CACHE', str(tmp_path / 'cache'))
    yield
    assert not (tmp_path / 'cache' / 'chips').exists(), 'a supernet was trained before the bad input was noticed'


def _images(root: Path, classes=('a', 'b'), n=3):
    for c in classes:
        (root / c).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            Image.fromarray(np.full((8, 8, 3), 40 * i, np.uint8)).save(root / c / f'{i}.png')
    return root


def _obj():
    c = CHIP_SPECS['raspberry-pi-5']
    return Objective(c, ChipLatency(c, SP), SP, Condition(latency_ms=1.0))


# (id, make(tmp) -> callable, error type, text the message must contain)
API_CASES = [
    ('empty-search-space', lambda t: lambda: SearchSpace(expands=()), BadInputError, 'SearchSpace.expands is empty'),
    ('zero-resolution', lambda t: lambda: SearchSpace(resolution=0), BadInputError, 'SearchSpace.resolution must be >= 1'),
    ('negative-width', lambda t: lambda: SearchSpace(widths=(16, -8, 32)), BadInputError, 'SearchSpace.widths[1]'),
    ('space-unknown-key', lambda t: lambda: SearchSpace.from_dict({'kernel': [3]}), BadInputError, "unknown keys ['kernel']"),
    ('arch-bad-json', lambda t: lambda: Arch.from_json('{kernels'), BadInputError, 'Arch JSON could not be parsed'),
    ('arch-not-in-space', lambda t: lambda: Supernet(SP).set_arch(Arch([(3,)] * 3, [(5,)] * 3)), BadInputError, 'expand 5 not in (3, 4, 6)'),
    ('nan-budget', lambda t: lambda: Condition(latency_ms=math.nan), BadInputError, 'Condition.latency_ms'),
    ('accuracy-floor-percent', lambda t: lambda: Condition(min_accuracy=97.8), BadInputError, 'Condition.min_accuracy'),
    ('population-0', lambda t: lambda: evolutionary_search(SP, lambda a: 0.5, _obj(), population=0), BadInputError, 'population must be >= 1'),
    ('n-evals-negative', lambda t: lambda: random_search(SP, lambda a: 0.5, _obj(), n_evals=-1), BadInputError, 'n_evals must be >= 1'),
    ('hypervolume-nan', lambda t: lambda: hypervolume_2d([1.0, math.nan], [0.5, 0.6], 2.0), BadInputError, 'latency has 1 NaN'),
    ('nan-pixels', lambda t: lambda: image_data(torch.full((4, 1, 2, 2), math.inf), [0, 1, 0, 1]), BadInputError, 'images has 16 NaN or infinite'),
    ('labels-wrong-length', lambda t: lambda: image_data(torch.rand(4, 1, 2, 2), [0, 1, 0]), BadInputError, '4 images but labels of shape (3,)'),
    ('cifar-limit-negative', lambda t: lambda: cifar10_data(t, limit=-1), BadInputError, 'limit must be >= 1'),
    (
        'folder-one-class',
        lambda t: (_images(t / 'imgs', classes=('cats',)), lambda: image_folder_data(t / 'imgs'))[1],
        BadFileError,
        "one class sub-folder ('cats')",
    ),
    ('chip-file-bad-json', lambda t: (t / 'c.json').write_text('[{"name": "x",') and (lambda: load_chips(t / 'c.json')), BadFileError, 'c.json'),
    (
        'chip-file-bad-field',
        lambda t: (t / 'c.yaml').write_text('- {name: npu, peak_flops: 1e12, bandwidth: -5}') and (lambda: load_chips(t / 'c.yaml')),
        BadFileError,
        "'bandwidth' must be a positive number",
    ),
    (
        'latency-table-truncated',
        lambda t: (t / 'tab.json').write_text('{"chip": "x", "space": {') and (lambda: LatencyTable.load(t / 'tab.json')),
        BadFileError,
        'tab.json',
    ),
    (
        'accuracy-table-bad-row',
        lambda t: (
            (t / 'acc.json').write_text('[{"arch": {"kernels": [[3]], "expands": [[3]]}, "accuracy": 7}]') and (lambda: AccuracyTable.load(t / 'acc.json'))
        ),
        BadFileError,
        'row 0',
    ),
    ('load-not-an-export', lambda t: (t / 'plain').mkdir() or (lambda: load_exported(t / 'plain')), BadFileError, 'is not a saved methodbook model'),
    ('unknown-chip', lambda t: lambda: get_chip('tpu-v9'), BadInputError, "unknown chip 'tpu-v9'"),
    (
        'chip-name-path',
        lambda t: (t / 'c.json').write_text('[{"name": "../../etc", "peak_flops": 1e12, "bandwidth": 1e9}]') and (lambda: load_chips(t / 'c.json')),
        BadFileError,
        "'name' may hold only letters",
    ),
    ('supernet-space-type', lambda t: lambda: Supernet('big'), BadTypeError, 'space must be a SearchSpace'),
    (
        'specialize-budget-for-unsearched-chip',
        lambda t: lambda: cli.specialize([CHIP_SPECS['raspberry-pi-5']], {'h100-sxm': 1.0}),
        BadInputError,
        "chip(s) ['h100-sxm'] that are not searched",
    ),
]


@pytest.mark.parametrize('case', API_CASES, ids=[c[0] for c in API_CASES])
def test_api_bad_input(case, tmp_path):
    _, make, err, msg = case
    f = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(err) as e:
        f()
    assert msg in str(e.value), str(e.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_export_refuses_a_folder_of_other_files(tmp_path):
    torch.manual_seed(0)
    sup, data = Supernet(SP).eval(), digits_data(hard=False)
    d = tmp_path / 'mine'
    d.mkdir()
    (d / 'thesis.tex').write_text('precious')
    with pytest.raises(BadFileError, match=r"out_dir: .*mine.* holds other files"):
        export_model(sup, SP.smallest(), data, d)
    assert [p.name for p in d.iterdir()] == ['thesis.tex'] and (d / 'thesis.tex').read_text() == 'precious'
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')], 'no temporary folder left behind'


def _cli_cases(t: Path):
    "(id, argv, text the error line must contain)"
    (t / 'broken.json').write_text('{"chips": [')
    (t / 'bad.yaml').write_text('chips: [name: x')
    (t / 'empty').mkdir()
    _images(t / 'one', classes=('only',))
    (t / 'a_file.txt').write_text('x')
    _images(t / 'imgs')
    (t / 'imgs' / 'b' / '2.png').write_bytes(b'not an image')
    return [
        ('population-0', ['search', '--population', '0'], '--population must be >= 1'),
        ('limit-negative', ['search', '--limit', '-1'], '--limit must be >= 1'),
        ('budget-nan', ['search', '--chips', 'raspberry-pi-5', '--latency-ms', 'nan'], "--latency-ms for chip 'raspberry-pi-5' must be a finite number"),
        ('budget-word', ['search', '--chips', 'raspberry-pi-5', '--latency-ms', 'fast'], "'fast' for chip 'raspberry-pi-5' is not a number"),
        ('budget-count', ['search', '--chips', 'raspberry-pi-5', '--latency-ms', '1,2'], '2 values for 1 chips'),
        ('accuracy-percent', ['search', '--min-accuracy', '97.8'], '--min-accuracy (a fraction) must be in [0, 1]'),
        ('memory-negative', ['search', '--memory-mb', '-4'], '--memory-mb must be > 0'),
        ('steps-0', ['search', '--steps', '0'], '--steps must be >= 1'),
        ('unknown-chip', ['search', '--chips', 'tpu-v9'], "unknown chip 'tpu-v9'"),
        ('chip-file-json', ['search', '--chip-file', str(t / 'broken.json')], 'broken.json'),
        ('chip-file-yaml', ['list', '--chip-file', str(t / 'bad.yaml')], 'bad.yaml'),
        ('data-missing', ['search', '--data', str(t / 'nope')], "--data: '" + str(t / 'nope') + "' does not exist"),
        ('data-empty', ['search', '--data', str(t / 'empty')], 'has no class sub-folders'),
        ('data-one-class', ['search', '--data', str(t / 'one')], "one class sub-folder ('only')"),
        ('data-bad-image-raise', ['search', '--data', str(t / 'imgs'), '--on-error', 'raise', '--chips', 'raspberry-pi-5'], '2.png'),
        ('channels-2', ['search', '--data', str(t / 'imgs'), '--channels', '2'], '--channels must be one of 1, 3'),
        ('out-is-a-file', ['search', '--out', str(t / 'a_file.txt')], '--out: '),
        ('table-roofline-chip', ['table', '--chip', 'raspberry-pi-5', '--out', str(t / 'tab.json')], "'raspberry-pi-5' is a roofline chip"),
        ('table-out-missing-folder', ['table', '--out', str(t / 'no' / 'dir' / 'tab.json')], 'does not exist'),
        ('table-repeats-0', ['table', '--repeats', '0', '--out', str(t / 'tab.json')], '--repeats must be >= 1'),
        ('budget-infeasible', ['search', '--chips', 'coral-edge-tpu', '--latency-ms', '1e-6'], "chip 'coral-edge-tpu': no structure"),
        ('memory-infeasible', ['search', '--chips', 'raspberry-pi-5', '--memory-mb', '0.001'], 'memory <= 1000 bytes'),
        ('resolution-huge', ['search', '--resolution', '100000'], '--resolution must be in [1, 1024]'),
    ]


CLI_IDS = [
    'population-0',
    'limit-negative',
    'budget-nan',
    'budget-word',
    'budget-count',
    'accuracy-percent',
    'memory-negative',
    'steps-0',
    'unknown-chip',
    'chip-file-json',
    'chip-file-yaml',
    'data-missing',
    'data-empty',
    'data-one-class',
    'data-bad-image-raise',
    'channels-2',
    'out-is-a-file',
    'table-roofline-chip',
    'table-out-missing-folder',
    'table-repeats-0',
    'budget-infeasible',
    'memory-infeasible',
    'resolution-huge',
]


def _refused(cid, argv, msg, tmp_path, capsys, outputs):
    "`methodbook chips ARGV` exits 2 with one stderr line holding `msg`, and writes nothing under tmp_path (the cache aside)."
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob('*') if 'cache' not in p.parts}
    rc = cli.main(argv)
    err = capsys.readouterr().err
    assert rc == 2, (cid, err)
    assert err.startswith(f'methodbook chips {argv[0]}: error: ') and err.count('\n') == 1, (cid, err)
    assert msg in err, (cid, err)
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob('*') if 'cache' not in p.parts}
    assert after == before, (cid, set(after) ^ set(before))
    for o in outputs:
        assert not (tmp_path / o).exists(), (cid, o)


@pytest.mark.parametrize('cid', CLI_IDS)
def test_cli_bad_input(cid, tmp_path, capsys):
    cases = {c[0]: c for c in _cli_cases(tmp_path)}
    assert list(cases) == CLI_IDS
    _, argv, msg = cases[cid]
    if '--out' not in argv and argv[0] == 'search':
        argv = argv + ['--out', str(tmp_path / 'out')]
    _refused(cid, argv, msg, tmp_path, capsys, ['tab.json', 'out'])


def test_cli_refuses_an_out_folder_holding_other_files(tmp_path, capsys):
    own = tmp_path / 'models' / 'raspberry-pi-5'
    own.mkdir(parents=True)
    (own / 'notes.md').write_text('mine')
    rc = cli.main(['search', '--chips', 'raspberry-pi-5', '--out', str(tmp_path / 'models')])
    err = capsys.readouterr().err
    assert rc == 2 and 'out_dir/raspberry-pi-5' in err and 'holds other files' in err, err
    assert [p.name for p in own.iterdir()] == ['notes.md']


def test_cli_help_is_fast_and_imports_no_torch():
    import subprocess, sys

    code = "import sys; from methodbook.chips import cli; cli.main(['--help']); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip().endswith('False'), out.stdout + out.stderr


# ---- NAS-Bench-201 on real devices (nbs/15_chips.nb201, nbs/16_chips.devices) ----
import gzip, pickle
from methodbook.chips.nb201 import Cell, NB201Space, N_CELLS, read_nb201_latency, read_nb201_accuracy, nb201_latency_file
from methodbook.chips.devices import (
    EvalBudget,
    run_search,
    score_search,
    OpLatencyModel,
    read_measurements,
    fewshot_latency,
    per_chip_selection,
    selection_table,
    compare_searches,
)


def _toy() -> NB201Space:
    "A synthetic space (no files): accuracy rises with the index, latency = 1 + index/1000 ms on two devices."
    i = np.arange(N_CELLS)
    return NB201Space(0.1 + 0.8 * i / N_CELLS, np.c_[1 + i / 1000, 2 + i / 1000], ['a_ms', 'b_ms'])


def _toy_obj(q=50):
    sp = _toy()
    c = sp.chips['nb201-a']
    return sp, Objective(c, ChipLatency(c, sp), sp, Condition(latency_ms=sp.budget(c, q)))


def _lat_csv(t: Path, edit=None, name='lat.csv') -> Path:
    "The shipped table, first 3 devices, optionally edited row by row: edit(lines) -> lines."
    with gzip.open(nb201_latency_file(), 'rt') as fh:
        lines = [','.join(l.rstrip('\n').split(',')[:5]) for l in fh]
    if edit:
        lines = edit(lines)
    (t / name).write_text('\n'.join(lines) + '\n')
    return t / name


class _Evil:
    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


def _evil_pickle(t: Path) -> Path:
    e = _Evil()
    e.marker = t / 'pwned'
    (t / 'evil.anb').write_bytes(pickle.dumps({(0,) * 6: e}))
    return t / 'evil.anb'


NB201_CASES = [
    ('cell-five-ops', lambda t: lambda: Cell((0, 1, 2, 3, 4)), BadInputError, 'Cell.ops needs 6 op indices'),
    ('cell-op-out-of-range', lambda t: lambda: Cell((0, 1, 5, 0, 0, 0)), BadInputError, 'Cell.ops[2] must be in [0, 4]'),
    ('cell-op-float', lambda t: lambda: Cell((0, 1, 2.0, 0, 0, 0)), BadInputError, 'Cell.ops[2] must be an integer'),
    ('cell-bad-string', lambda t: lambda: Cell.from_str('|conv~0|+|none~0|'), BadInputError, 'not a NAS-Bench-201 architecture string'),
    ('cell-unknown-op', lambda t: lambda: Cell.from_str('|sep_conv~0|+|none~0|none~1|+|none~0|none~1|none~2|'), BadInputError, "unknown ops ['sep_conv']"),
    ('cell-dict', lambda t: lambda: Cell.from_dict({'kernels': [[3]]}), BadInputError, "{'nb201': '<architecture string>'}"),
    ('cell-index', lambda t: lambda: Cell.from_index(N_CELLS), BadInputError, 'cell index must be in [0, 15624]'),
    ('latency-missing-file', lambda t: lambda: read_nb201_latency(t / 'nope.csv'), MissingFileError, 'nope.csv'),
    (
        'latency-header',
        lambda t: (t / 'h.csv').write_text('arch,index,x\n') and (lambda: read_nb201_latency(t / 'h.csv')),
        BadFileError,
        "'index,arch' then one or more '<device>_ms'",
    ),
    (
        'latency-truncated',
        lambda t: _lat_csv(t, lambda L: L[:11]) and (lambda: read_nb201_latency(t / 'lat.csv')),
        BadFileError,
        '15,615 of the 15,625 cells have no row',
    ),
    (
        'latency-negative',
        lambda t: _lat_csv(t, lambda L: L[:5] + [L[5].rsplit(',', 1)[0] + ',-3'] + L[6:]) and (lambda: read_nb201_latency(t / 'lat.csv')),
        BadFileError,
        "line 6, column 'eyeriss_ms'",
    ),
    (
        'latency-word',
        lambda t: _lat_csv(t, lambda L: L[:3] + [L[3].rsplit(',', 1)[0] + ',fast'] + L[4:]) and (lambda: read_nb201_latency(t / 'lat.csv')),
        BadFileError,
        'line 4: latencies must be numbers',
    ),
    (
        'latency-duplicate',
        lambda t: _lat_csv(t, lambda L: L[:3] + [L[2]] + L[4:]) and (lambda: read_nb201_latency(t / 'lat.csv')),
        BadFileError,
        'line 4: cell',
    ),
    (
        'latency-bad-arch',
        lambda t: _lat_csv(t, lambda L: L[:2] + ['1,|conv~0|,1,2,3'] + L[3:]) and (lambda: read_nb201_latency(t / 'lat.csv')),
        BadFileError,
        "line 3, column 'arch'",
    ),
    (
        'latency-not-gzip',
        lambda t: (t / 'x.csv.gz').write_text('index,arch,a_ms\n') and (lambda: read_nb201_latency(t / 'x.csv.gz')),
        BadFileError,
        'not a readable CSV',
    ),
    ('accuracy-evil-pickle', lambda t: _evil_pickle(t) and (lambda: read_nb201_accuracy(t / 'evil.anb')), BadFileError, "global 'posix.system' is not allowed"),
    (
        'accuracy-wrong-count',
        lambda t: (t / 'few.anb').write_bytes(pickle.dumps({(0,) * 6: 1})) and (lambda: read_nb201_accuracy(t / 'few.anb')),
        BadFileError,
        'expected a mapping of 15,625 cells',
    ),
    (
        'accuracy-not-pickle',
        lambda t: (t / 'txt.anb').write_text('hello') and (lambda: read_nb201_accuracy(t / 'txt.anb')),
        BadFileError,
        'not a readable analog-nasbench pickle',
    ),
    ('space-accuracy-shape', lambda t: lambda: NB201Space(np.zeros(10), np.zeros((N_CELLS, 1)), ['a_ms']), BadInputError, 'accuracy must have shape (15625,)'),
    ('space-accuracy-percent', lambda t: lambda: NB201Space(np.full(N_CELLS, 93.0), np.zeros((N_CELLS, 1)), ['a_ms']), BadInputError, 'fractions in [0, 1]'),
    (
        'space-latency-columns',
        lambda t: lambda: NB201Space(np.full(N_CELLS, 0.5), np.zeros((N_CELLS, 2)), ['a_ms']),
        BadInputError,
        'latency must have shape (15625, 1)',
    ),
    ('space-budget-q0', lambda t: lambda: _toy().budget('nb201-a', 0), BadInputError, 'latency percentile q must be in (0, 100]'),
    ('space-unknown-chip', lambda t: lambda: _toy().lookup_latency('raspberry-pi-5', Cell((0,) * 6)), BadInputError, "NB201 chips: ['nb201-a', 'nb201-b']"),
    ('space-oracle-infeasible', lambda t: lambda: _toy().oracle('nb201-a', 0.5), BadInputError, 'no NB201 cell runs within 0.5 ms on nb201-a'),
    ('space-arch-type', lambda t: lambda: _toy().true_accuracy(SP.smallest()), BadTypeError, 'arch must be an NB201 Cell'),
    (
        'chiplatency-roofline-on-nb201',
        lambda t: lambda: ChipLatency(CHIP_SPECS['raspberry-pi-5'], _toy()),
        BadInputError,
        "chip 'raspberry-pi-5' has no NB201 latency column",
    ),
    ('run-search-method', lambda t: lambda: run_search(*_toy_obj(), 'grid', 10), BadInputError, "method must be one of"),
    ('run-search-n0', lambda t: lambda: run_search(*_toy_obj(), 'random', 0), BadInputError, 'n must be >= 1'),
    ('eval-budget-fn', lambda t: lambda: EvalBudget('acc', 10), BadTypeError, 'accuracy_fn must be callable'),
    (
        'score-no-budget',
        lambda t: lambda: score_search(_toy(), Objective(_toy().chips['nb201-a'], lambda a: 1.0, _toy(), Condition()), {}),
        BadInputError,
        'the NB201 searches need a Condition with latency_ms',
    ),
    ('oplat-two-cells', lambda t: lambda: OpLatencyModel().fit([Cell((0,) * 6), Cell((2,) * 6)], [1, 2]), BadInputError, 'at least 3 measured cells'),
    ('oplat-nan', lambda t: lambda: OpLatencyModel().fit([Cell((0,) * 6), Cell((2,) * 6), Cell((3,) * 6)], [1, math.nan, 2]), BadInputError, 'measured cell 1'),
    (
        'oplat-load-other-json',
        lambda t: (t / 'o.json').write_text('{"chip": "x"}') and (lambda: OpLatencyModel.load(t / 'o.json')),
        BadFileError,
        "'nb201-op-latency'",
    ),
    (
        'measurements-header',
        lambda t: (t / 'm.csv').write_text('cell,latency\n') and (lambda: read_measurements(t / 'm.csv')),
        BadFileError,
        "header must be 'arch,ms'",
    ),
    (
        'measurements-negative',
        lambda t: (t / 'm.csv').write_text('arch,ms\n' + Cell((0,) * 6).to_str() + ',-1\n') and (lambda: read_measurements(t / 'm.csv')),
        BadFileError,
        'line 2: ms must be a finite number >= 0',
    ),
    ('fewshot-k2', lambda t: lambda: fewshot_latency(_toy(), 'nb201-a', 2), BadInputError, 'k must be in [3, 15624]'),
    ('fewshot-unknown-chip', lambda t: lambda: fewshot_latency(_toy(), 'nb201-raspi4', 10), BadInputError, "chip 'nb201-raspi4' has no NB201 latency column"),
    ('run-search-supernet-space', lambda t: lambda: run_search(SP, _toy_obj()[1], 'random', 10), BadTypeError, 'space must be an NB201Space'),
    ('run-search-obj-type', lambda t: lambda: run_search(_toy(), 'nb201-a', 'random', 10), BadTypeError, 'obj must be an Objective'),
    ('score-table-type', lambda t: lambda: score_search(*_toy_obj(), [1, 2]), BadTypeError, 'table must be a dict'),
    ('selection-qs-empty', lambda t: lambda: per_chip_selection(_toy(), qs=()), BadInputError, 'qs must be a non-empty list'),
    ('selection-table-type', lambda t: lambda: selection_table([]), BadTypeError, "a dict with 'rows' and 'single'"),
    ('compare-budget-1', lambda t: lambda: compare_searches(_toy(), budgets=(1,)), BadInputError, 'budgets (distinct cells) must be >= 2'),
]


@pytest.mark.parametrize('case', NB201_CASES, ids=[c[0] for c in NB201_CASES])
def test_nb201_bad_input(case, tmp_path):
    _, make, err, msg = case
    f = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(err) as e:
        f()
    assert msg in str(e.value), str(e.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == before and not (tmp_path / 'pwned').exists()


def _nb201_cli_cases(t: Path):
    _lat_csv(t, lambda L: L[:50], name='short.csv')
    (t / 'a_file.txt').write_text('x')
    (t / 'm.csv').write_text('arch,ms\n|x|,1\n')
    rng = np.random.default_rng(0)
    (t / 'good.csv').write_text('arch,ms\n' + ''.join(f"{Cell.from_index(int(i))},{1 + 0.1 * (i % 7)}\n" for i in rng.choice(N_CELLS, 8, replace=False)))
    (t / 'broken.json').write_text('{"chips": [{"name": "x", "kind": "roofline"')
    (t / 'roof.json').write_text('[{"name": "mine", "kind": "roofline", "peak_flops": 1e9, "bandwidth": 1e9}]')
    (t / 'lut_chips.json').write_text('[{"name": "my-lut", "kind": "lut", "table": "t.json"}]')
    (t / 'ops_missing.json').write_text('[{"name": "my-ops", "kind": "nb201-ops", "table": "nope.ops.json"}]')
    cal = ['calibrate', '--measurements', str(t / 'good.csv')]
    return [
        ('nb201-qs-word', ['nb201', '--qs', 'median'], "--qs: 'median' must be comma-separated numbers"),
        ('nb201-qs-0', ['nb201', '--qs', '0,50'], '--qs (a latency percentile) must be in (0, 100]'),
        ('nb201-evals-0', ['nb201', '--evals', '0'], '--evals must be >= 1'),
        ('nb201-method', ['nb201', '--method', 'grid'], '--method must be one of'),
        ('nb201-latency-missing', ['nb201', '--latency-file', str(t / 'nope.csv')], "--latency-file: '" + str(t / 'nope.csv') + "' does not exist"),
        ('nb201-latency-short', ['nb201', '--latency-file', str(t / 'short.csv')], 'cells have no row'),
        ('nb201-out-is-file', ['nb201', '--out', str(t / 'a_file.txt')], '--out: '),
        ('calibrate-no-measurements', ['calibrate', '--out', str(t / 'o.json')], '--measurements: give a CSV'),
        ('calibrate-bad-row', ['calibrate', '--measurements', str(t / 'm.csv'), '--out', str(t / 'o.json')], 'm.csv'),
        ('calibrate-out-missing-folder', ['calibrate', '--measurements', str(t / 'm.csv'), '--out', str(t / 'no' / 'o.json')], 'does not exist'),
        ('calibrate-chip-file-suffix', cal + ['--chip-file', str(t / 'chips.txt')], 'must end in .json, .yaml or .yml'),
        ('calibrate-chip-file-folder-missing', cal + ['--chip-file', str(t / 'no' / 'chips.json')], "folder '" + str(t / 'no') + "' does not exist"),
        ('calibrate-chip-file-broken', cal + ['--chip-file', str(t / 'broken.json')], 'broken.json'),
        ('calibrate-chip-file-is-folder', cal + ['--chip-file', str(t)], 'is a folder'),
        ('calibrate-chip-name-spaces', cal + ['--chip-file', str(t / 'chips.json'), '--chip', 'my chip'], "'name' may hold only letters"),
        ('calibrate-chip-name-builtin', cal + ['--chip-file', str(t / 'chips.json'), '--chip', 'raspberry-pi-5'], 'is a built-in chip'),
        ('calibrate-chip-name-other-kind', cal + ['--chip-file', str(t / 'roof.json'), '--chip', 'mine'], "already has a 'roofline' chip named 'mine'"),
        ('calibrate-chip-file-bad-rows', ['calibrate', '--measurements', str(t / 'm.csv'), '--chip-file', str(t / 'chips.json')], 'm.csv'),
        ('calibrate-out-is-chip-file', cal + ['--chip-file', str(t / 'roof.json'), '--out', str(t / 'roof.json')], 'is the --chip-file file'),
        ('calibrate-out-is-measurements', cal + ['--out', str(t / 'good.csv')], 'is the --measurements file'),
        ('nb201-chip-file-lut', ['nb201', '--chip-file', str(t / 'lut_chips.json')], "'my-lut' is a 'lut' chip"),
        ('nb201-chip-file-table-missing', ['nb201', '--chip-file', str(t / 'ops_missing.json')], 'nope.ops.json'),
        ('nb201-chip-file-missing', ['nb201', '--chip-file', str(t / 'nope.yaml')], 'does not exist'),
    ]


NB201_CLI_IDS = [
    'nb201-qs-word',
    'nb201-qs-0',
    'nb201-evals-0',
    'nb201-method',
    'nb201-latency-missing',
    'nb201-latency-short',
    'nb201-out-is-file',
    'calibrate-no-measurements',
    'calibrate-bad-row',
    'calibrate-out-missing-folder',
    'calibrate-chip-file-suffix',
    'calibrate-chip-file-folder-missing',
    'calibrate-chip-file-broken',
    'calibrate-chip-file-is-folder',
    'calibrate-chip-name-spaces',
    'calibrate-chip-name-builtin',
    'calibrate-chip-name-other-kind',
    'calibrate-chip-file-bad-rows',
    'calibrate-out-is-chip-file',
    'calibrate-out-is-measurements',
    'nb201-chip-file-lut',
    'nb201-chip-file-table-missing',
    'nb201-chip-file-missing',
]


@pytest.mark.parametrize('cid', NB201_CLI_IDS)
def test_nb201_cli_bad_input(cid, tmp_path, capsys):
    cases = {c[0]: c for c in _nb201_cli_cases(tmp_path)}
    assert list(cases) == NB201_CLI_IDS
    _, argv, msg = cases[cid]
    if '--out' not in argv and argv[0] == 'nb201':
        argv = argv + ['--out', str(tmp_path / 'out')]
    _refused(cid, argv, msg, tmp_path, capsys, ['out', 'o.json', 'chips.json', 'op_latency.json', 'my-chip.ops.json', 'mine.ops.json'])
