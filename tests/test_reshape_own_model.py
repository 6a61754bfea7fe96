"The reshape model pass on a user's own model: a module the test writes, run through the API and `methodbook reshape model`."

import json, textwrap
import numpy as np
import pytest
import torch
from methodbook.reshape.layouts import Machine, make_layout, BlockLayout, ChunkLayout
from methodbook.reshape.memory import plan_reshape
from methodbook.reshape.model import build_model, example_inputs, plan_model, summarize
from methodbook.cli import main as methodbook_main

torch.set_num_threads(1)

MODULE = '''
import torch
from torch import nn

class Every(nn.Module):
    "One of each reshape-like op the pass reports."
    def __init__(self, dim=32, heads=4, n_classes=3):
        super().__init__()
        self.heads, self.qkv, self.proj = heads, nn.Linear(dim, 3*dim), nn.Linear(dim, dim)
        self.norm = nn.BatchNorm1d(dim)                       # batch 1 only works in eval mode
        self.flat, self.head = nn.Flatten(1), nn.Linear(dim, n_classes)
    def forward(self, x):                                     # (B, T, dim)
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        y = (q @ k.transpose(-2, -1)).softmax(-1) @ v          # (B, heads, T, D/heads)
        y = self.proj(y.transpose(1, 2).reshape(B, T, D))
        y = torch.flatten(y, 0, 1).unflatten(0, (B, T))        # (B*T, D) and back
        z = self.norm(y.mean(1)).unsqueeze(-1).squeeze(-1)    # (B, D)
        return self.head(self.flat(z.reshape_as(z)))

class TwoInputs(nn.Module):
    def __init__(self, vocab=50, dim=16):
        super().__init__(); self.emb = nn.Embedding(vocab, dim)
    def forward(self, ids, mask):                             # int64 token ids, (B, T) each
        return (self.emb(ids) * mask.unsqueeze(-1)).view(ids.shape[0], -1)

def build(dim=32, heads=4):
    return Every(dim, heads)
'''


@pytest.fixture
def user_dir(tmp_path):
    (tmp_path / 'own_models_t1.py').write_text(textwrap.dedent(MODULE))
    pkg = tmp_path / 'own_pkg_t1'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / 'nets.py').write_text(textwrap.dedent(MODULE))
    return tmp_path


def _cli_json(argv, capsys):
    assert methodbook_main(['reshape', 'model', *argv, '--json-out']) == 0
    return json.loads(capsys.readouterr().out)


def test_every_reshape_is_reported_with_bytes_moved(user_dir):
    net = build_model(f'{user_dir}/own_models_t1.py:build', dict(dim=32, heads=4))
    net.train()
    rows = plan_model(net, *example_inputs([(1, 8, 32)]), machine=Machine(8, 1 << 20), layout='interleaved:8x8')
    assert net.training and all(m.training for m in net.modules())  # flags restored after the eval-mode pass
    assert [r['op'] for r in rows] == ['view', 'reshape', 'flatten', 'unflatten', 'unsqueeze', 'squeeze', 'reshape_as', 'flatten']
    for r in rows:
        assert r['note'] == '' and r['moved_bytes'] == r['bound_bytes'] <= r['dram_bytes']
        assert isinstance(r['view'], bool) and r['elements'] == int(np.prod(r['src_shape']))
    t = summarize(rows)
    assert t['reshapes'] == 8 and t['moved_bytes'] == sum(r['moved_bytes'] for r in rows)


def test_cli_by_file_path_by_module_name_and_by_package_agree_with_the_api(user_dir, capsys, monkeypatch):
    common = ['--input-shape', '2,8,32', '--machine', '', '--tiles', '8', '--layout', 'block:0']
    a = _cli_json(['--model', f'{user_dir}/own_models_t1.py:build', *common], capsys)
    monkeypatch.chdir(user_dir)  # modules are found in the current folder
    b = _cli_json(['--model', 'own_models_t1:build', *common], capsys)
    c = _cli_json(['--model', 'own_pkg_t1.nets:Every', *common], capsys)  # a class is a factory too
    rows = plan_model(build_model('own_pkg_t1.nets:build', folder=user_dir), *example_inputs([(2, 8, 32)]), machine=Machine(8), layout='block:0')
    assert a['totals'] == b['totals'] == c['totals'] == summarize(rows)
    assert [r['op'] for r in a['rows']] == [r['op'] for r in rows]


def test_cli_factory_kwargs_several_inputs_and_int_dtype(user_dir, capsys):
    r = _cli_json(['--model', f'{user_dir}/own_models_t1.py:build', '--kwargs', '{"dim": 64, "heads": 8}', '--input-shape', '1,4,64'], capsys)
    assert r['rows'][0]['dst_shape'] == [1, 4, 3, 8, 8]
    r = _cli_json(['--model', f'{user_dir}/own_models_t1.py:TwoInputs', '--input-shape', '2,5;2,5', '--input-dtype', 'int64'], capsys)
    assert [(x['op'], x['src_shape'], x['dst_shape']) for x in r['rows']] == [('unsqueeze', [2, 5], [2, 5, 1]), ('view', [2, 5, 16], [2, 80])]
    assert r['rows'][0]['dtype'] == 'int64'


def test_block_minus_one_follows_each_tensors_last_dim(user_dir):
    "Layout('block:-1').reshaped splits the new shape's last dim; it used to keep the old shape's resolved index."
    src = make_layout('block:-1', (4, 6), 2)
    assert src.reshaped((2, 2, 6)).dim == 2 and src.reshaped((24,)).dim == 0 and src.reshaped((2, -1)).dim == 1
    net = build_model(f'{user_dir}/own_models_t1.py:build')
    rows = plan_model(net, *example_inputs([(2, 8, 32)]), machine=Machine(4), layout='block:-1')
    for r in rows:
        s = make_layout('block:-1', r['src_shape'], 4)
        p = plan_reshape(s, make_layout('block:-1', r['dst_shape'], 4))
        assert r['moved_bytes'] == p.remote.elements * 4 and r['view'] == p.is_view


def test_chunk_sizes_carry_over_a_reshape():
    src = ChunkLayout((4, 6), 3, sizes=[0, 20, 4])
    assert plan_reshape(src, src.reshaped((24,))).is_view
    assert BlockLayout((4, 6), 2, sizes=[3, 1]).reshaped((6, 4)).count.tolist() == [3, 3]  # block sizes count one dim: even split
