"Kill-and-resume, DDP, and checkpoint errors for methodbook.train."

import json, os, shutil, socket, subprocess, sys
from pathlib import Path
import pytest, torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from methodbook.train import TrainConfig, fit, CheckpointError, latest_checkpoint

SCRIPT = Path(__file__).with_name('train_script.py')
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}


def _run(*args, check=True):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], env=ENV, capture_output=True, text=True, check=check, timeout=300)


def _params(p):
    return torch.load(p, weights_only=True)


def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    _run(tmp_path / 'full')
    r = _run(tmp_path / 'cut', '--kill-at', 23, check=False)
    assert r.returncode == -9, r.stderr  # really killed
    assert not (tmp_path / 'cut' / 'params_rank0.pt').exists()
    assert latest_checkpoint(tmp_path / 'cut').name == 'step_0000020.pt'
    _run(tmp_path / 'cut', '--resume')
    full, resumed = _params(tmp_path / 'full' / 'params_rank0.pt'), _params(tmp_path / 'cut' / 'params_rank0.pt')
    for k in full:
        assert torch.equal(full[k], resumed[k]), k
    # the resumed run's metric file holds each step once, as the uninterrupted one does
    steps = [json.loads(l)['step'] for l in (tmp_path / 'cut' / 'metrics.jsonl').read_text().splitlines()]
    assert steps == list(range(1, 41))


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_torchrun_two_ranks_identical_and_loss_falls(tmp_path):
    torchrun = shutil.which('torchrun') or str(Path(sys.executable).with_name('torchrun'))
    cmd = [torchrun, '--nproc_per_node=2', '--master_addr=127.0.0.1', f'--master_port={_free_port()}', str(SCRIPT), str(tmp_path), '--steps', '30']
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    p0, p1 = _params(tmp_path / 'params_rank0.pt'), _params(tmp_path / 'params_rank1.pt')
    for k in p0:
        assert torch.equal(p0[k], p1[k]), k
    losses = json.loads((tmp_path / 'losses_rank0.json').read_text())
    assert len(losses) == 30 and sum(losses[-5:]) < 0.5 * sum(losses[:5])
    # really distributed: each rank saw its own shard (different losses) yet ends with the same weights.
    # Two independent single-process runs with the same seed would give identical losses here.
    assert losses != json.loads((tmp_path / 'losses_rank1.json').read_text())


def test_torchrun_stop_asked_by_one_rank_stops_both(tmp_path):
    "Early stopping under DDP: only rank 1's eval_fn asks, both ranks stop at the same step (no hang) with the same weights."
    torchrun = shutil.which('torchrun') or str(Path(sys.executable).with_name('torchrun'))
    cmd = [torchrun, '--nproc_per_node=2', '--master_addr=127.0.0.1', f'--master_port={_free_port()}', str(SCRIPT), str(tmp_path)]
    r = subprocess.run(cmd + ['--steps', '40', '--stop-at', '12', '--stop-rank', '1'], env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    res = [json.loads((tmp_path / f'result_rank{k}.json').read_text()) for k in (0, 1)]
    assert res[0] == res[1] == {'step': 15, 'stopped': True}, res
    p0, p1 = _params(tmp_path / 'params_rank0.pt'), _params(tmp_path / 'params_rank1.pt')
    assert all(torch.equal(p0[k], p1[k]) for k in p0)


def test_eval_fn_stop_ends_the_run(tmp_path):
    model, dl = _toy()
    calls = []

    def eval_fn(m):
        calls.append(1)
        return {'n': len(calls), 'stop': len(calls) == 3}

    res = fit(model, dl, _step, TrainConfig(max_steps=100, eval_every=4, progress=False), run_dir=tmp_path, eval_fn=eval_fn)
    assert (res.step, res.stopped, len(calls)) == (12, True, 3)
    rows = [json.loads(x) for x in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
    assert rows[-1] == {'kind': 'eval', 'step': 12, 'n': 3.0, 'stop': 1.0}
    model, dl = _toy()
    done = fit(model, dl, _step, TrainConfig(max_steps=8, eval_every=4, progress=False), eval_fn=lambda m: {'stop': False})
    assert (done.step, done.stopped) == (8, False)


def _toy():
    torch.manual_seed(0)
    X = torch.randn(64, 3)
    return nn.Linear(3, 1), DataLoader(TensorDataset(X, X.sum(1)), batch_size=16, shuffle=True)


def _step(m, b):
    return nn.functional.mse_loss(m(b[0]).squeeze(-1), b[1])


def test_corrupt_checkpoint_is_a_clear_error_and_left_alone(tmp_path):
    m, dl = _toy()
    fit(m, dl, _step, TrainConfig(max_steps=8, ckpt_every=4, progress=False), run_dir=tmp_path)
    ck = latest_checkpoint(tmp_path)
    ck.write_bytes(ck.read_bytes()[:200])
    before = ck.read_bytes()
    m, dl = _toy()
    with pytest.raises(CheckpointError, match='could not be read'):
        fit(m, dl, _step, TrainConfig(max_steps=12, ckpt_every=4, progress=False), run_dir=tmp_path, resume=True)
    assert ck.read_bytes() == before


def test_mismatched_checkpoint_names_the_problem(tmp_path):
    m, dl = _toy()
    fit(m, dl, _step, TrainConfig(max_steps=4, ckpt_every=4, progress=False), run_dir=tmp_path)
    with pytest.raises(CheckpointError, match='belongs to a run with fingerprint'):  # caught by the run record first
        fit(nn.Linear(3, 2), dl, lambda m, b: m(b[0]).sum(), TrainConfig(max_steps=8, progress=False), run_dir=tmp_path, resume=True)
    (tmp_path / 'run.json').unlink()  # a folder without a run record: the checkpoint itself is checked
    with pytest.raises(CheckpointError, match='does not match the model'):
        fit(nn.Linear(3, 2), dl, lambda m, b: m(b[0]).sum(), TrainConfig(max_steps=8, progress=False), run_dir=tmp_path, resume=True)


def test_bad_step_fn_output_and_nan_loss(tmp_path):
    m, dl = _toy()
    with pytest.raises(TypeError, match='scalar loss'):
        fit(m, dl, lambda m, b: m(b[0]), TrainConfig(max_steps=2, progress=False), run_dir=tmp_path / 'a')
    with pytest.raises(FloatingPointError, match='loss is nan'):
        fit(m, dl, lambda m, b: m(b[0]).sum() * float('nan'), TrainConfig(max_steps=2, progress=False), run_dir=tmp_path / 'b')


def test_fit_without_run_dir_leaves_no_folder(tmp_path, monkeypatch):
    "The temporary run folder (metrics, checkpoints) is removed when fit returns; the rows are in the result."
    import tempfile

    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    model, dl = _toy()
    res = fit(model, dl, _step, TrainConfig(max_steps=6, ckpt_every=2, eval_every=3, progress=False), eval_fn=lambda m: {'v': 1.0})
    assert res.run_dir is None and list(tmp_path.iterdir()) == []
    assert [h['step'] for h in res.history] == list(range(1, 7)) and [e['step'] for e in res.evals] == [3, 6]
