"NAS-Bench-201 chips on files the test writes itself: a user's own accuracy pickle and latency CSV, a calibration CSV; and the real data's two encoding checks."

import json, random, sys, types
from pathlib import Path
import numpy as np
import pytest
import torch

torch.set_num_threads(1)
from methodbook.core import DataUnavailableError
from methodbook.chips import cli
from methodbook.chips.nb201 import Cell, N_CELLS, has_path, load_nb201, read_nb201_accuracy
from methodbook.chips.devices import per_chip_selection, OpLatencyModel
from methodbook.chips.latency import ChipLatency
from methodbook.chips.search import Condition, Objective, evolutionary_search


def _write_anb(path: Path, acc_pct: np.ndarray, monkeypatch):
    "An analog-nasbench-style pickle: {ops tuple: Architecture(baseline_accuracy=%)} with the package's class path."
    mod = types.ModuleType('analognasbench.data')

    class Architecture:
        pass

    Architecture.__module__, Architecture.__qualname__ = 'analognasbench.data', 'Architecture'
    mod.Architecture = Architecture
    monkeypatch.setitem(sys.modules, 'analognasbench', types.ModuleType('analognasbench'))
    monkeypatch.setitem(sys.modules, 'analognasbench.data', mod)
    d = {}
    for i in range(N_CELLS):
        c = Cell.from_index(i)
        a = Architecture()
        a.architecture, a.baseline_accuracy = c.ops, float(acc_pct[i])
        d[c.ops] = a
    import pickle

    path.write_bytes(pickle.dumps(d))
    return path


def _own_files(tmp_path, monkeypatch):
    "Accuracy: 10% without a path, else 50% + 7 points per 3x3 conv; two devices where a 3x3 conv costs 1 ms (a) or 0.2 ms (b), skip 0.5 ms (b)."
    ops = np.array([Cell.from_index(i).ops for i in range(N_CELLS)])
    conv3, skip = (ops == 2).sum(1), (ops == 0).sum(1)
    path = np.array([has_path(Cell.from_index(i)) for i in range(N_CELLS)])
    acc = np.where(path, 50 + 7 * conv3, 10.0)
    lat = np.c_[1 + conv3 + 0.01 * (ops == 3).sum(1), 1 + 0.2 * conv3 + 0.5 * skip]
    rows = ['index,arch,mine_a_ms,mine_b_ms'] + [
        f"{i},{Cell.from_index(i)},{lat[i, 0]:.4f},{lat[i, 1]:.4f}" for i in np.random.default_rng(0).permutation(N_CELLS)
    ]
    (tmp_path / 'my_latency.csv').write_text('\n'.join(rows) + '\n')
    return _write_anb(tmp_path / 'my.anb', acc, monkeypatch), tmp_path / 'my_latency.csv', acc / 100, lat


def test_own_accuracy_and_latency_files(tmp_path, monkeypatch):
    anb, csvp, acc, lat = _own_files(tmp_path, monkeypatch)
    sp = load_nb201(anb, csvp)
    assert list(sp.chips) == ['nb201-mine-a', 'nb201-mine-b']
    np.testing.assert_allclose(sp.accuracy, acc)
    np.testing.assert_allclose(sp.latency, lat, atol=1e-4)
    assert set(sp.accuracy[[not has_path(Cell.from_index(i)) for i in range(N_CELLS)]]) == {0.1}
    sel = per_chip_selection(sp, qs=(50,), n=200)
    for r in sel['rows']:
        # the oracle is the truth: no cell within the budget beats it
        ok = sp.device_latency(r['chip']) <= r['budget_ms']
        assert r['oracle_acc'] == pytest.approx(sp.accuracy[ok].max()) and r['chosen_acc'] <= r['oracle_acc'] + 1e-12
        assert r['chosen_ms'] <= r['budget_ms']
    # the search API runs unchanged on the user's chips
    chip = sp.chips['nb201-mine-b']
    obj = Objective(chip, ChipLatency(chip, sp), sp, Condition(latency_ms=sp.budget(chip, 50)))
    best, a = evolutionary_search(sp, sp.true_accuracy, obj, population=20, generations=3).best(obj)
    assert obj.feasible(best) and a == sp.true_accuracy(best)


def test_own_files_through_the_cli(tmp_path, monkeypatch, capsys):
    anb, csvp, acc, lat = _own_files(tmp_path, monkeypatch)
    rc = cli.main(['nb201', '--accuracy-file', str(anb), '--latency-file', str(csvp), '--qs', '50', '--evals', '100', '--out', str(tmp_path / 'out')])
    assert rc == 0, capsys.readouterr().err
    res = json.loads((tmp_path / 'out' / 'selection.json').read_text())
    assert {r['chip'] for r in res['selection']['rows']} == {'nb201-mine-a', 'nb201-mine-b'} and (tmp_path / 'out' / 'fronts.png').stat().st_size > 0


def test_calibrate_own_measurements(tmp_path, capsys):
    "A chip whose latency is exactly additive per op: the fitted table recovers it from 12 cells."
    cost = {0: 0.3, 1: 0.0, 2: 2.0, 3: 0.7, 4: 0.4}
    rng = random.Random(1)
    cells = {Cell.from_index(rng.randrange(N_CELLS)) for _ in range(12)}
    (tmp_path / 'm.csv').write_text('arch,ms\n' + ''.join(f"{c},{1.5 + sum(cost[o] for o in c.ops):.6f}\n" for c in cells))
    assert cli.main(['calibrate', '--measurements', str(tmp_path / 'm.csv'), '--out', str(tmp_path / 't.json'), '--chip', 'npu']) == 0
    m = OpLatencyModel.load(tmp_path / 't.json')
    test = [Cell.from_index(i) for i in range(0, N_CELLS, 97)]
    np.testing.assert_allclose(m.predict(test), [1.5 + sum(cost[o] for o in c.ops) for c in test], rtol=0.05, atol=0.05)
    assert json.loads((tmp_path / 't.json').read_text())['chip'] == 'npu'


def test_real_data_encoding_checks():
    "The two checks of the mapping on the real data: disconnected cells score 10%, the known best cells rank at the top."
    try:
        acc = read_nb201_accuracy()
    except DataUnavailableError as e:
        pytest.skip(f"analog-nasbench not available here: {e}")
    disc = [i for i in range(N_CELLS) if not has_path(Cell.from_index(i))]
    assert len(disc) == 341 and set(acc[disc]) == {0.1}
    rank = np.argsort(np.argsort(-acc))
    best = Cell.from_str('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|')
    assert rank[best.index] < 10


def _additive_csv(path: Path, cost: dict, n: int = 15, seed: int = 1, offset: float = 1.5) -> list:
    "A measurements CSV of n random cells on a chip whose latency is exactly offset + sum of per-op costs."
    rng = random.Random(seed)
    cells = sorted({Cell.from_index(rng.randrange(N_CELLS)) for _ in range(n)}, key=lambda c: c.index)
    path.write_text('arch,ms\n' + ''.join(f"{c},{offset + sum(cost[o] for o in c.ops):.6f}\n" for c in cells))
    return cells


@pytest.mark.parametrize('suffix', ['.json', '.yaml'])
def test_calibrate_chip_file_feeds_the_rest_of_the_cli(tmp_path, monkeypatch, capsys, suffix):
    "calibrate --chip-file writes the fitted chip (kind nb201-ops) to a chip file that list and nb201 read; recalibrating replaces it; search refuses it."
    from methodbook.chips.latency import load_chips

    cost = {0: 0.3, 1: 0.0, 2: 2.0, 3: 0.7, 4: 0.4}
    _additive_csv(tmp_path / 'm.csv', cost)
    cf = tmp_path / f'my_chips{suffix}'
    cf.write_text(
        '[{"name": "my-roof", "kind": "roofline", "peak_flops": 1e11, "bandwidth": 1e10}]'
        if suffix == '.json'
        else 'chips:\n- {name: my-roof, kind: roofline, peak_flops: 1.0e+11, bandwidth: 1.0e+10}\n'
    )
    assert cli.main(['calibrate', '--measurements', str(tmp_path / 'm.csv'), '--chip-file', str(cf), '--chip', 'npu']) == 0
    specs = {c.name: c for c in load_chips(cf)}
    assert set(specs) == {'my-roof', 'npu'} and specs['npu'].kind == 'nb201-ops' and Path(specs['npu'].table) == tmp_path / 'npu.ops.json'
    m = OpLatencyModel.load(specs['npu'].table)
    test = [Cell.from_index(i) for i in range(0, N_CELLS, 97)]
    np.testing.assert_allclose(m.predict(test), [1.5 + sum(cost[o] for o in c.ops) for c in test], rtol=0.05, atol=0.05)
    # recalibrating the same chip replaces its entry (and table); the user's other chip stays
    _additive_csv(tmp_path / 'm2.csv', {**cost, 2: 4.0}, seed=2)
    assert cli.main(['calibrate', '--measurements', str(tmp_path / 'm2.csv'), '--chip-file', str(cf), '--chip', 'npu']) == 0
    specs = load_chips(cf)
    assert [c.name for c in specs] == ['my-roof', 'npu']
    assert OpLatencyModel.load(specs[1].table).predict([Cell((2,) * 6)])[0] == pytest.approx(1.5 + 24, rel=0.05)
    capsys.readouterr()
    assert cli.main(['list', '--chip-file', str(cf)]) == 0 and 'npu' in capsys.readouterr().out
    # nb201 runs the per-chip selection with the user's chips next to the devices (own accuracy/latency files: no download)
    anb, csvp, acc, lat = _own_files(tmp_path, monkeypatch)
    assert (
        cli.main(
            [
                'nb201',
                '--accuracy-file',
                str(anb),
                '--latency-file',
                str(csvp),
                '--chip-file',
                str(cf),
                '--qs',
                '50',
                '--evals',
                '60',
                '--out',
                str(tmp_path / 'out'),
            ]
        )
        == 0
    ), capsys.readouterr().err
    rows = json.loads((tmp_path / 'out' / 'selection.json').read_text())['selection']['rows']
    assert {r['chip'] for r in rows} == {'nb201-mine-a', 'nb201-mine-b', 'my-roof', 'npu'}
    npu = next(r for r in rows if r['chip'] == 'npu')
    assert npu['chosen_ms'] <= npu['budget_ms']
    # the supernet search cannot use an NB201 per-op chip: one line, exit 2, before any training
    capsys.readouterr()
    assert cli.main(['search', '--chips', 'npu', '--chip-file', str(cf), '--out', str(tmp_path / 'models')]) == 2
    err = capsys.readouterr().err
    assert 'NAS-Bench-201 per-op table' in err and err.count('\n') == 1 and not (tmp_path / 'models').exists()
