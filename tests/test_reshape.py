"methodbook.reshape across modules: bad input, capacity errors, the CLI, the model pass, the big paged case."

import json
import numpy as np
import pytest
import torch
from methodbook.reshape.layouts import Machine, make_layout, ChunkLayout, BlockLayout, PagedLayout, scatter, gather, check_shape
from methodbook.reshape.memory import plan_reshape, execute, tile_memory, plan_stats
from methodbook.reshape.schedule import owner_changes
from methodbook.reshape.model import TinyCNN, TinyViT, find_reshapes, plan_model
from methodbook.reshape import cli

torch.set_num_threads(1)


@pytest.mark.parametrize(
    'make, msg',
    [
        (lambda: plan_reshape(ChunkLayout((4, 6), 2), ChunkLayout((5, 5), 2)), 'element counts differ'),
        (lambda: ChunkLayout((4, 6), 0), 'n_tiles must be a positive integer'),
        (lambda: ChunkLayout((4, 0), 2), 'has dim 0'),
        (lambda: BlockLayout((4, -2), 2), 'has dim -2'),
        (lambda: check_shape('ab'), 'sequence of integers'),
        (lambda: plan_reshape(ChunkLayout((4, 6), 2), ChunkLayout((24,), 3)), 'same tiles'),
        (lambda: plan_reshape(ChunkLayout((4, 6), 2), ChunkLayout((24,), 2, dtype='int8')), 'keeps the dtype'),
        (lambda: make_layout('cyclic:x', (4,), 2), "layout 'cyclic:x' is not one of"),
        (lambda: PagedLayout((4, 4), 2, assign='diagonal'), "assign must be"),
        (lambda: ChunkLayout((4,), 2).locate([4]), 'flat indices must lie in'),
        (lambda: execute(plan_reshape(ChunkLayout((4,), 2), ChunkLayout((2, 2), 2)), [np.zeros(2)]), 'expected 2 buffers'),
        (lambda: scatter(np.zeros((2, 3)), ChunkLayout((3, 2), 2)), 'does not match layout shape'),
    ],
)
def test_bad_input_raises_clear_value_error(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


def test_capacity_error_names_tile_and_excess():
    src = BlockLayout((64, 64), 4, dim=1)  # 4 KiB per tile
    dst = BlockLayout((4096,), 4)
    with pytest.raises(ValueError, match=r"tile \d+ needs [\d,]+ bytes .* [\d,]+ bytes over its 5,000-byte capacity"):
        plan_reshape(src, dst, Machine(4, 5000))
    p = plan_reshape(src, dst, Machine(4, 8192))
    assert p.mode == 'out' and tile_memory(p)['peak'].max() <= 8192
    p = plan_reshape(src, dst, Machine(4, 8150))  # only fits in place
    assert p.mode == 'inplace' and tile_memory(p)['peak'].max() <= 8150
    x = np.arange(4096.0).reshape(64, 64)
    np.testing.assert_array_equal(gather(execute(p, scatter(x, src)), dst), x.reshape(-1))


def test_pieces_and_elements_planners_agree_on_medium_paged_case():
    src = make_layout('interleaved', (3, 70, 50), 8)
    dst = src.reshaped((21, 500))
    a, b = plan_reshape(src, dst), plan_reshape(src, dst, method='elements')
    np.testing.assert_array_equal(a.remote.to_array(), b.remote.to_array())
    np.testing.assert_array_equal(a.local.to_array(), b.local.to_array())
    st = plan_stats(a, reference=True)
    assert st.remote_elements == st.lower_bound_elements == owner_changes(src, dst)
    assert st.descriptors == st.min_descriptors and st.rounds == st.max_degree
    assert st.dram_elements == 2 * src.size


def test_big_paged_reshape_is_a_pure_view():
    "33 M elements: a pure view with nothing moved (its planning time is measured in benchmarks/reshape_bench.py, not here)."
    src = make_layout('interleaved', (1, 1018, 1018, 32), 64)
    p = plan_reshape(src, src.reshaped((1, 1, 1036324, 32)))
    assert p.is_view and plan_stats(p).remote_bytes == 0


def test_model_pass_finds_and_plans_every_reshape():
    x = torch.randn(2, 3, 32, 32)
    assert [s.op for s in find_reshapes(TinyCNN(), x)] == ['flatten']
    rows = plan_model(TinyViT(), x)
    assert len(rows) == 6 and all(r['note'] == '' for r in rows)
    assert all(r['moved_bytes'] == r['bound_bytes'] <= r['dram_bytes'] for r in rows)


def test_cli_plan_model_and_errors(capsys):
    assert cli.main(['8,6', '6,8', '--tiles', '4', '--layout', 'block:1']) == 0
    assert '| bytes moved between tiles | 144 | 144 | 384 |' in capsys.readouterr().out
    assert cli.main(['plan', '8x6', '[4, -1]', '--tiles', '4', '--json-out']) == 0
    d = json.loads(capsys.readouterr().out)
    assert d['dst_shape'] == [4, 12] and d['remote_elements'] == d['lower_bound_elements']
    assert cli.main(['4,6', '5,5', '--tiles', '2']) == 2
    out, err = capsys.readouterr()
    assert out == '' and err.startswith('methodbook reshape plan: error: ') and 'element counts differ' in err and err.count('\n') == 1
    assert cli.main(['64,64', '4096', '--tiles', '4', '--layout', 'block:1', '--dst-layout', 'block', '--capacity', '5000']) == 2
    assert 'over its 5,000-byte capacity' in capsys.readouterr().err
    assert cli.main(['model', '--name', 'cnn', '--machine', '', '--tiles', '8']) == 0
    assert '| flatten | flatten |' in capsys.readouterr().out


def test_methodbook_entry_point_dispatches_to_reshape(capsys):
    from methodbook.cli import main

    assert main(['reshape', '6,4', '4,6', '--tiles', '3']) == 0
    assert 'direct' in capsys.readouterr().out


def test_demo_writes_figure_and_metrics(tmp_path):
    r = cli.demo(tmp_path)
    assert (tmp_path / 'transfers.png').exists()
    assert r['metrics']['checks_pass'] == 1.0 and r['metrics']['plan_33M_is_view'] == 1.0
    assert 'lower bound' in r['summary']
