"The console script."

import json, os, subprocess
from methodbook import cli


def _mb(*args):
    return subprocess.run(['methodbook', *args], capture_output=True, text=True, timeout=300, env={**os.environ, 'OMP_NUM_THREADS': '1'})


def test_help_exits_zero():
    r = _mb('--help')
    assert r.returncode == 0 and 'demo' in r.stdout
    r = _mb('demo', '--help')
    assert r.returncode == 0 and '--out' in r.stdout


def test_unknown_command_exits_two():
    r = _mb('frobnicate')
    assert r.returncode == 2 and 'unknown command' in r.stderr


def test_demo_reports_unbuilt_methods(tmp_path, monkeypatch):
    monkeypatch.setitem(cli.METHODS, 'notyet', 'a method nobody has built')
    assert cli.main(['demo', 'notyet', '--out', str(tmp_path)]) == 0
    assert json.loads((tmp_path / 'metrics.json').read_text()) == {'notyet': {'status': 'not built yet'}}
    assert 'not built yet' in (tmp_path / 'report.md').read_text()
