"Bad inputs to methodbook.reshape, through the API and `methodbook reshape ...`: the error type, a message naming the argument, nothing written."

import textwrap
import numpy as np
import pytest
import torch
from methodbook.core import BadInputError, BadTypeError, BadFileError, MissingFileError
from methodbook.reshape.layouts import Machine, ChunkLayout, BlockLayout, BlockCyclicLayout, PagedLayout, make_layout, check_shape, scatter
from methodbook.reshape.plan import plan_descriptors, execute_out
from methodbook.reshape.memory import plan_reshape, execute, execute_inplace, tile_memory, fit_mode, plan_stats
from methodbook.reshape.schedule import edge_colouring
from methodbook.reshape.model import TinyCNN, find_reshapes, plan_model, load_factory, build_model, example_inputs
from methodbook.reshape import cli
from methodbook.cli import main as methodbook_main

torch.set_num_threads(1)


def _plan():
    return plan_reshape(ChunkLayout((4, 6), 2), ChunkLayout((24,), 2))


API = [  # (id, call, error type, text the message must hold)
    ('shape-is-str', lambda: check_shape('12'), BadTypeError, 'shape must be a sequence of integers'),
    ('shape-float-dim', lambda: ChunkLayout((4, 1.5), 2), BadTypeError, 'at position 1'),
    ('tiles-zero', lambda: ChunkLayout((4, 6), 0), BadInputError, 'n_tiles must be a positive integer'),
    ('tiles-bool', lambda: ChunkLayout((4, 6), True), BadTypeError, 'n_tiles'),
    ('dim-float', lambda: BlockLayout((4, 6), 2, dim=1.5), BadTypeError, 'dim must be an integer'),
    ('dim-out-of-range', lambda: BlockLayout((4, 6), 2, dim=-3), BadInputError, 'dim -3 is out of range for shape (4, 6)'),
    ('layout-name', lambda: make_layout('diagonal', (4, 6), 2), BadInputError, "layout 'diagonal' is not one of"),
    ('dtype', lambda: make_layout('chunk', (4, 6), 2, dtype='flot32'), BadInputError, 'dtype must be a numeric element type'),
    ('dtype-object', lambda: ChunkLayout((4, 6), 2, dtype=object), BadInputError, 'dtype'),
    ('page-zero', lambda: PagedLayout((4, 4), 2, page=(0, 32)), BadInputError, 'page (0, 32) has dim 0'),
    ('assign', lambda: PagedLayout((4, 4), 2, assign='diagonal'), BadInputError, 'assign must be one of'),
    ('cyclic-block', lambda: BlockCyclicLayout((8,), 2, block=0), BadInputError, 'block must be >= 1'),
    ('ragged-float-sizes', lambda: ChunkLayout((6,), 2, sizes=[1.5, 4.5]), BadInputError, 'sizes must be 2 non-negative integers'),
    ('capacity', lambda: Machine(4, capacity_bytes=0), BadInputError, 'capacity_bytes must be >= 1'),
    ('element-count', lambda: plan_reshape(ChunkLayout((4, 6), 2), ChunkLayout((5, 5), 2)), BadInputError, 'element counts differ'),
    ('plan-mode', lambda: plan_reshape(ChunkLayout((4, 6), 2), ChunkLayout((24,), 2), mode='fast'), BadInputError, 'mode must be one of'),
    ('two-minus-ones', lambda: ChunkLayout((4, 6), 2).reshaped((-1, -1)), BadInputError, 'more than one -1'),
    ('minus-one-not-inferable', lambda: ChunkLayout((4, 6), 2).reshaped((5, -1)), BadInputError, 'not divisible by 5'),
    ('src-not-layout', lambda: plan_reshape((4, 6), ChunkLayout((24,), 2)), BadTypeError, 'src must be a Layout'),
    ('scatter-shape', lambda: scatter(np.zeros((6, 4)), ChunkLayout((4, 6), 2)), BadInputError, 'x has shape (6, 4)'),
    ('execute-tiles', lambda: execute(_plan(), [np.zeros(12)]), BadInputError, 'src_tiles: expected 2 buffers'),
    ('execute-mode', lambda: execute(_plan(), [np.zeros(12), np.zeros(12)], mode='fast'), BadInputError, "mode must be one of 'out', 'inplace'"),
    ('execute-not-plan', lambda: execute('plan', [np.zeros(12)]), BadTypeError, 'plan must be a ReshapePlan'),
    ('execute-out-tiles', lambda: execute_out(_plan(), [np.zeros(12)]), BadInputError, 'src_tiles: expected 2 buffers'),
    ('execute-inplace-tiles', lambda: execute_inplace(_plan(), [np.zeros(12)]), BadInputError, 'src_tiles: expected 2 buffers'),
    (
        'descriptors-method',
        lambda: plan_descriptors(ChunkLayout((4, 6), 2), ChunkLayout((24,), 2), method='rows'),
        BadInputError,
        "method must be one of 'pieces', 'elements'",
    ),
    ('descriptors-dst-not-layout', lambda: plan_descriptors(ChunkLayout((4, 6), 2), (24,)), BadTypeError, 'dst must be a Layout'),
    ('plan-machine-type', lambda: plan_reshape(ChunkLayout((4, 6), 2), ChunkLayout((24,), 2), machine=2), BadTypeError, 'machine must be a Machine or None'),
    (
        'plan-machine-tiles',
        lambda: plan_reshape(ChunkLayout((4, 6), 2), ChunkLayout((24,), 2), Machine(3)),
        BadInputError,
        'has 3 tiles but the layouts use n_tiles 2',
    ),
    ('fit-mode-machine', lambda: fit_mode(_plan(), 'ipu'), BadTypeError, 'machine must be a Machine'),
    ('tile-memory-mode', lambda: tile_memory(_plan(), 'fast'), BadInputError, "mode must be one of 'out', 'inplace'"),
    ('tile-memory-not-plan', lambda: tile_memory(None), BadTypeError, 'plan must be a ReshapePlan'),
    ('stats-not-plan', lambda: plan_stats({'src': 1}), BadTypeError, 'plan must be a ReshapePlan'),
    ('stats-method', lambda: plan_stats(_plan(), method='random'), BadInputError, "method must be one of 'konig'"),
    ('colouring-lengths', lambda: edge_colouring([0, 1], [0]), BadInputError, 'u and v must have one entry per edge'),
    ('example-not-tensor', lambda: find_reshapes(TinyCNN(), [[0.0]]), BadTypeError, 'example input 0 must be a torch.Tensor'),
    ('example-wrong-shape', lambda: find_reshapes(TinyCNN(), torch.zeros(1, 3, 8, 8)), BadInputError, 'TinyCNN failed on example input(s) (1, 3, 8, 8)'),
    ('plan-model-machine', lambda: plan_model(TinyCNN(), torch.zeros(1, 3, 32, 32), machine='ipu'), BadTypeError, 'machine must be a Machine'),
    ('missing-module', lambda: load_factory('no_such_pkg_xyz.models:build'), BadInputError, "no module named 'no_such_pkg_xyz'"),
    ('factory-not-module', lambda: build_model('os:getcwd'), BadInputError, 'not a torch.nn.Module'),
    ('input-shape-zero', lambda: example_inputs([(2, 0, 3)]), BadInputError, 'input_shape (2, 0, 3) has dim 0'),
]


@pytest.mark.parametrize('call, err, says', [a[1:] for a in API], ids=[a[0] for a in API])
def test_api_rejects_bad_input(call, err, says):
    with pytest.raises(err) as e:
        call()
    assert says in str(e.value), str(e.value)


@pytest.fixture
def user_module(tmp_path):
    "A user module that leaves a marker when it is imported and when its factory runs: a bad argument must stop before both."
    p = tmp_path / 'user_net_bad.py'
    p.write_text(
        textwrap.dedent(f'''
        from pathlib import Path
        import torch
        from torch import nn
        Path({str(tmp_path / 'imported')!r}).write_text('x')
        class Net(nn.Module):
            def __init__(self): super().__init__(); self.l = nn.Linear(8, 8)
            def forward(self, x): return self.l(x).view(x.shape[0], 2, 4)
        class Branchy(nn.Module):
            def forward(self, x): return x.flatten() if x.sum() > 0 else x
        def build():
            Path({str(tmp_path / 'built')!r}).write_text('x')
            return Net()
        def branchy(): return Branchy()
        def fails(): raise RuntimeError('checkpoint missing')
        ''')
    )
    return p


CLI = [  # (id, argv, text the one stderr line must hold, whether the user module may have been imported)
    ('tiles-zero', ['4,6', '24', '--tiles', '0'], '--tiles must be a positive integer', False),
    ('layout', ['4,6', '24', '--layout', 'diagonal'], "--layout 'diagonal' is not one of", False),
    ('dst-layout-dim', ['4,6', '24', '--dst-layout', 'block:3'], "--dst-layout 'block:3': dim 3 is out of range", False),
    ('dtype', ['4,6', '24', '--dtype', 'flot32'], '--dtype must be a numeric element type', False),
    ('mode', ['4,6', '24', '--mode', 'fast'], '--mode must be one of', False),
    ('machine', ['4,6', '24', '--machine', 'tpu'], '--machine must be one of', False),
    ('capacity', ['4,6', '24', '--capacity', '-5'], '--capacity must be >= 0', False),
    ('src-shape', ['4,a', '24'], "src_shape '4,a' must be integers", False),
    ('src-minus-one', ['4,-1', '24'], 'src_shape (4, -1) has dim -1', False),
    ('dst-two-minus-ones', ['4,6', '-1,-1'], 'dst_shape (-1, -1) has more than one -1', False),
    ('dst-count', ['4,6', '5,5'], 'element counts differ', False),
    (
        'too-small',
        ['64,64', '4096', '--tiles', '4', '--layout', 'block:1', '--dst-layout', 'block', '--capacity', '5000'],
        'over its 5,000-byte capacity',
        False,
    ),
    ('model-name', ['model', '--name', 'resnet'], '--name must be one of', False),
    ('model-no-input-shape', ['model', '--model', '{mod}:build'], '--input-shape is required with --model', False),
    ('model-input-shape', ['model', '--model', '{mod}:build', '--input-shape', '2,0'], '--input-shape (2, 0) has dim 0', False),
    ('model-input-dtype', ['model', '--model', '{mod}:build', '--input-shape', '2,8', '--input-dtype', 'int8'], '--input-dtype must be one of', False),
    ('model-kwargs', ['model', '--model', '{mod}:build', '--input-shape', '2,8', '--kwargs', '{{dim: 3}}'], '--kwargs must be a JSON object', False),
    ('model-layout', ['model', '--model', '{mod}:build', '--input-shape', '2,8', '--layout', 'blok'], "--layout 'blok' is not one of", False),
    ('model-missing-module', ['model', '--model', 'no_such_pkg_xyz:build', '--input-shape', '2,8'], "no module named 'no_such_pkg_xyz'", False),
    ('model-missing-file', ['model', '--model', '{tmp}/nothere.py:build', '--input-shape', '2,8'], 'does not exist', False),
    ('model-missing-attr', ['model', '--model', '{mod}:biuld', '--input-shape', '2,8'], "has no attribute 'biuld'; it defines", True),
    ('model-factory-fails', ['model', '--model', '{mod}:fails', '--input-shape', '2,8'], 'calling the factory failed: RuntimeError: checkpoint missing', True),
    ('model-untraceable', ['model', '--model', '{mod}:branchy', '--input-shape', '2,8'], 'torch.fx cannot trace Branchy', True),
    ('model-input-rejected', ['model', '--model', '{mod}:build', '--input-shape', '2,9'], 'Net failed on example input(s) (2, 9) float32', True),
]


@pytest.mark.parametrize('argv, says, may_import', [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_cli_bad_input_is_one_line_exit_2(argv, says, may_import, user_module, tmp_path, capsys):
    argv = [a.format(mod=user_module, tmp=tmp_path) for a in argv]
    assert methodbook_main(['reshape', *argv]) == 2
    out, err = capsys.readouterr()
    action = argv[0] if argv[0] in ('plan', 'model') else 'plan'
    assert out == '', out  # no partial table on stdout
    assert err.count('\n') == 1 and err.startswith(f'methodbook reshape {action}: error: '), err
    assert says in err, err
    assert (tmp_path / 'imported').exists() == may_import  # arguments checked before the user's code is imported


def test_demo_refuses_a_file_as_out_dir_and_leaves_it(tmp_path):
    f = tmp_path / 'report'
    f.write_text('keep me')
    with pytest.raises(BadFileError, match='out_dir'):
        cli.demo(f)
    assert f.read_text() == 'keep me'


def test_file_model_spec_errors_name_the_file(tmp_path):
    with pytest.raises(MissingFileError, match='nothere.py'):
        load_factory(f'{tmp_path}/nothere.py:build')
    (tmp_path / 'syntax_err.py').write_text('def build(:\n')
    with pytest.raises(BadInputError, match=r"importing '.*syntax_err.py' failed: SyntaxError"):
        load_factory(f'{tmp_path}/syntax_err.py:build')
    with pytest.raises(BadInputError, match="must name a module and a factory"):
        load_factory('syntax_err.py')


from hypothesis import given, settings, strategies as st, HealthCheck

TOKENS = [
    '4,6',
    '24',
    '-1',
    '-1,6',
    '0',
    '',
    '()',
    '[2, 3]',
    '4x6',
    'a',
    '2.5',
    '--tiles',
    '--layout',
    '--dst-layout',
    '--dtype',
    '--mode',
    '--machine',
    '--capacity',
    '--reference',
    '--json-out',
    'block:-1',
    'block:5',
    'cyclic:0:0',
    'cyclic:1:2',
    'interleaved:4x4',
    'sharded:0x1',
    'chunk',
    'ipu',
    'inplace',
    'float16',
    'bool',
    'bfloat16',
    '1',
    '3',
    '99999999',
    '-5',
    'plan',
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(TOKENS), max_size=7))
def test_random_plan_arguments_exit_0_or_2_never_a_traceback(capsys, argv):
    try:
        rc = methodbook_main(['reshape', *argv])
    except SystemExit as e:
        rc = e.code  # argparse's own usage errors
    assert rc in (0, 2)
    capsys.readouterr()


# --- the network model (methodbook.reshape.noc) ---
from methodbook.reshape.noc import (
    NocSpec,
    get_noc,
    time_schedule,
    time_rounds,
    link_loads,
    via_dram_ns,
    balanced_schedule,
    ilp_schedule,
    plot_link_loads,
    split_messages,
    rebalance,
    fill_idle_slots,
)
from methodbook.reshape.schedule import schedule, messages, Schedule
from methodbook.reshape.memory import run_rounds


def _big_plan():
    src = make_layout('cyclic:0:1', (1472, 2), 1472)
    return plan_reshape(src, src.reshaped((2, 1472)))


def _split():
    src = make_layout('cyclic:0:1', (8, 6), 4)
    p = plan_reshape(src, src.reshaped((6, 8)))
    m = messages(p)
    c = split_messages(m, np.full(len(m), 2))
    return p, Schedule(c, edge_colouring(c.src_tile, c.dst_tile))


NOC = [  # (id, call, error type, text the message must hold)
    ('noc-topology', lambda: NocSpec(topology='ring'), BadInputError, "topology must be one of 'mesh', 'torus', 'crossbar'"),
    ('noc-width-zero', lambda: NocSpec(width=0), BadInputError, 'NocSpec.width'),
    ('noc-width-float', lambda: NocSpec(width=2.5), BadInputError, 'NocSpec.width'),
    ('noc-link-zero', lambda: NocSpec(link_GBps=0), BadInputError, 'NocSpec.link_GBps'),
    ('noc-link-nan', lambda: NocSpec(link_GBps=float('nan')), BadInputError, 'link_GBps'),
    ('noc-hop-negative', lambda: NocSpec(hop_ns=-1), BadInputError, 'NocSpec.hop_ns must be >= 0'),
    ('noc-no-dram', lambda: NocSpec(dram_tiles=[]), BadInputError, 'dram_tiles must list at least one'),
    ('noc-dram-empty-channel', lambda: NocSpec(dram_tiles=[[0], []]), BadInputError, 'dram_tiles[1] is empty'),
    ('noc-dram-off-grid', lambda: NocSpec(width=2, height=2, dram_tiles=[[4]]), BadInputError, 'dram_tiles[0] has node 4'),
    ('noc-dram-not-int', lambda: NocSpec(dram_tiles=[['a']]), BadInputError, 'dram_tiles[0][0]'),
    ('noc-label', lambda: NocSpec(sources=dict(hop_ns='a guess')), BadInputError, 'published, derived, assumed'),
    ('noc-label-field', lambda: NocSpec(sources=dict(speed='assumed: fast')), BadInputError, "unknown field 'speed'"),
    ('noc-unknown-profile', lambda: get_noc('tpu-v9'), BadInputError, 'neither a built-in profile'),
    ('noc-not-a-name', lambda: get_noc(3), BadTypeError, 'noc must be a profile name'),
    ('noc-too-small', lambda: time_schedule(_big_plan(), 'wormhole-8x8'), BadInputError, 'spans 1,472 tiles but noc'),
    ('noc-sched-type', lambda: time_schedule(_plan(), 'ipu-mk2', sched='konig'), BadTypeError, 'sched must be a Schedule'),
    ('noc-plan-type', lambda: via_dram_ns('plan', 'ipu-mk2'), BadTypeError, 'plan'),
    ('noc-rounds-length', lambda: time_rounds([0, 1], [1, 0], [4, 4], [1, 1], [0], 'ipu-mk2'), BadInputError, 'rounds has 1 entries'),
    ('noc-negative-bytes', lambda: time_rounds([0], [1], [-4], [1], [0], 'ipu-mk2'), BadInputError, 'nbytes must hold finite values >= 0'),
    ('noc-float-tiles', lambda: link_loads([0.5], [1], [4], get_noc('wormhole-8x8')), BadInputError, 'src must be a 1-D array of integers'),
    ('noc-off-grid', lambda: link_loads([0], [64], [4], get_noc('wormhole-8x8')), BadInputError, 'tile 64 is off the 8×8 grid'),
    ('noc-quanta', lambda: balanced_schedule(_plan(), 'ipu-mk2', n_quanta=-1), BadInputError, 'n_quanta'),
    ('noc-ratio', lambda: balanced_schedule(_plan(), 'ipu-mk2', ratios=(0.5,)), BadInputError, 'ratios'),
    ('noc-moves', lambda: rebalance(schedule(_plan()), 4, 'ipu-mk2', max_moves=-5), BadInputError, 'max_moves'),
    ('noc-fill-sched', lambda: fill_idle_slots(messages(_plan()), 4, 'ipu-mk2'), BadTypeError, 'sched must be a Schedule'),
    ('noc-fill-itemsize', lambda: fill_idle_slots(schedule(_plan()), 0, 'ipu-mk2'), BadInputError, 'itemsize'),
    ('noc-split-k', lambda: split_messages(messages(_plan()), [1, 2, 3, 4, 5]), BadInputError, 'one finite number of pieces per message'),
    ('noc-ilp-size', lambda: ilp_schedule(_big_plan(), 'ipu-mk2'), BadInputError, 'exceeds max_vars'),
    ('noc-ilp-time', lambda: ilp_schedule(_plan(), 'ipu-mk2', time_limit=0), BadInputError, 'time_limit'),
    ('noc-plot-crossbar', lambda: plot_link_loads(_plan(), 'ipu-mk2'), BadInputError, 'is a crossbar'),
    ('noc-plot-round', lambda: plot_link_loads(_plan(), 'wormhole-8x8', rnd=99), BadInputError, 'rnd'),
    ('split-schedule-run', lambda: run_rounds(*_split()), BadInputError, 'split schedule'),
    ('colouring-method', lambda: edge_colouring([0], [0], 'hungarian'), BadInputError, "method must be one of 'konig', 'euler', 'loop', 'greedy'"),
]


@pytest.mark.parametrize('call, err, says', [a[1:] for a in NOC], ids=[a[0] for a in NOC])
def test_noc_rejects_bad_input(call, err, says):
    with pytest.raises(err) as e:
        call()
    assert says in str(e.value), str(e.value)


@pytest.mark.parametrize(
    'name, text, err, says',
    [
        ('missing.yaml', None, MissingFileError, 'does not exist'),
        ('broken.yaml', 'name: [unclosed\n', BadFileError, 'could not be parsed'),
        ('broken.json', '{"name": ', BadFileError, 'could not be parsed'),
        ('list.json', '[1, 2]', BadFileError, 'must hold a mapping'),
        ('unknown.yaml', 'name: x\nbandwidth: 3\n', BadInputError, "unknown config keys ['bandwidth']"),
        ('typed.yaml', 'name: x\nwidth: eight\n', BadInputError, 'NocSpec.width'),
        ('offgrid.json', '{"name": "x", "width": 2, "height": 2, "dram_tiles": [[7]]}', BadInputError, 'dram_tiles[0] has node 7'),
    ],
)
def test_noc_files_name_the_file_and_field(tmp_path, name, text, err, says):
    p = tmp_path / name
    if text is not None:
        p.write_text(text)
    with pytest.raises(err) as e:
        get_noc(p)
    assert says in str(e.value) and name in str(e.value), str(e.value)
    assert sorted(x.name for x in tmp_path.iterdir()) == ([name] if text is not None else [])  # nothing written beside it
