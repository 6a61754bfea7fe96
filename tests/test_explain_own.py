"explain on a user's own files: models (TorchScript, safetensors + factory), images (.png 8/16-bit, RGB, .npy), saved aspect sets, the cache."

import json, warnings
import numpy as np, pytest, torch, torch.nn as nn

torch.set_num_threads(1)
from PIL import Image

from methodbook.cli import main
from methodbook.train import TrainConfig
from methodbook.explain.aspects import AspectSet, aspect_cnn, train_aspect_models
from methodbook.explain.explain import explain
from methodbook.explain.own import read_image


class LeftHalf(nn.Module):
    "Two logits: [0, brightness of the left half]; scriptable, no weights."

    def forward(self, x):
        W = x.shape[-1]
        s = x[..., : W // 2].flatten(1).mean(1, keepdim=True) * 50 - 2
        return torch.cat([torch.zeros_like(s), s], 1)


def blobs(n, g):
    "(n, 1, 16, 16) images with a 4x4 blob in the left and/or right half, and (n, 2) presence [left, right]."
    x, has = 0.05 * torch.rand(n, 1, 16, 16, generator=g), torch.rand(n, 2, generator=g) < 0.5
    r = torch.randint(1, 11, (n, 2), generator=g)
    c = torch.randint(1, 4, (n, 2), generator=g)
    for i in range(n):
        if has[i, 0]:
            x[i, 0, r[i, 0] : r[i, 0] + 4, c[i, 0] : c[i, 0] + 4] = 1.0
        if has[i, 1]:
            x[i, 0, r[i, 1] : r[i, 1] + 4, 8 + c[i, 1] : 12 + c[i, 1]] = 1.0
    return x, has


@pytest.fixture(scope='module')
def user(tmp_path_factory):
    "A user's folder: a TorchScript model, 8-bit/16-bit/RGB PNGs and a .npy of one image with both blobs, a saved aspect set."
    d = tmp_path_factory.mktemp('explain-own')
    g = torch.Generator().manual_seed(0)
    x, has = blobs(400, g)
    torch.manual_seed(0)
    aset = train_aspect_models(
        x[:320],
        has[:320],
        ['left blob', 'right blob'],
        x[320:],
        has[320:],
        width=4,
        cfg=TrainConfig(max_steps=60, lr=1e-2, warmup_steps=5, progress=False, log_every=100),
    )
    assert min(aset.accuracy.values()) > 0.9, aset
    aset.save(d / 'aspects')
    torch.jit.script(LeftHalf()).save(str(d / 'left.pt'))
    img = torch.zeros(16, 16)
    img[5:9, 2:6] = 1.0
    img[5:9, 10:14] = 1.0
    Image.fromarray((img.numpy() * 255).astype(np.uint8), 'L').save(d / 'both.png')
    Image.fromarray((img.numpy() * 65535).astype(np.uint16)).save(d / 'both16.png')
    Image.fromarray(np.stack([(img.numpy() * 255).astype(np.uint8)] * 3, -1), 'RGB').save(d / 'both_rgb.png')
    np.save(d / 'both_hwc.npy', img.numpy()[:, :, None])
    return d, aset, x


ARGS = ['--method', 'ig', '--policy', 'topk', '--frac', '0.0625', '--sigma', '0', '--target', '1']


@pytest.mark.parametrize('image,note', [('both.png', '/255'), ('both16.png', '/65535'), ('both_rgb.png', 'RGB averaged'), ('both_hwc.npy', 'channels last')])
def test_cli_torchscript_on_own_images(user, capsys, image, note):
    d = user[0]
    assert (
        main(
            [
                'explain',
                'image',
                '--model',
                str(d / 'left.pt'),
                '--image',
                str(d / image),
                '--aspects',
                str(d / 'aspects'),
                '--class-names',
                'other,left',
                *ARGS,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert note in out and 'explanation: left blob\n' in out and 'class left' in out, out


def test_cli_json_and_figure(user, capsys):
    d = user[0]
    fig = d / 'why.png'
    assert (
        main(
            [
                'explain',
                'image',
                '--model',
                str(d / 'left.pt'),
                '--image',
                str(d / 'both.png'),
                '--aspects',
                str(d / 'aspects'),
                '--json-out',
                '--out',
                str(fig),
                *ARGS,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    res = json.loads(out[: out.rindex('}') + 1])
    assert res['reported'] == ['left blob'] and res['whole']['right blob'] > 0.5 and '/255' in res['image']
    assert fig.stat().st_size > 1000 and not list(d.glob('.why.png*'))


def test_safetensors_factory_from_the_current_folder(user, capsys, monkeypatch, tmp_path):
    "A factory module next to the user's files is found from the current folder, like `python -m` would."
    from safetensors.torch import save_file

    d, aset, x = user
    torch.manual_seed(1)
    net = aspect_cnn(1, 4, 2).eval()
    save_file(net.state_dict(), str(tmp_path / 'w.safetensors'))
    torch.jit.script(net).save(str(tmp_path / 'w.pt'))
    (tmp_path / 'my_models_ab12.py').write_text("from methodbook.explain.aspects import aspect_cnn\ndef build(width=8): return aspect_cnn(1, width, 2)\n")
    monkeypatch.chdir(tmp_path)
    common = ['--image', str(d / 'both.png'), '--aspects', str(d / 'aspects'), '--json-out', '--method', 'saliency', '--target', '0']
    assert main(['explain', 'image', '--model', 'w.safetensors', '--factory', 'my_models_ab12:build', '--factory-kwargs', '{"width": 4}', *common]) == 0
    a = json.loads(capsys.readouterr().out)
    assert main(['explain', 'image', '--model', 'w.pt', *common]) == 0
    b = json.loads(capsys.readouterr().out)
    assert a['masked'] == b['masked'] and a['target'] == b['target'] == 0


def test_aspect_set_with_maps_round_trip_and_source_layer(user, tmp_path, capsys):
    "Maps are part of using the aspects at an internal layer: they are saved, loaded and used from the CLI."
    from safetensors.torch import save_file

    d, aset, x = user
    torch.manual_seed(2)
    net = aspect_cnn(1, 8, 2).eval()
    withmaps = AspectSet(aset.models, aset.input_shape, aset.accuracy).fit_maps(net, x, 'relu2', 'relu2')
    withmaps.save(tmp_path / 'aspects_maps')
    back = AspectSet.load(tmp_path / 'aspects_maps')
    assert (back.source_layer, back.target_layer) == ('relu2', 'relu2')
    for n in aset.names:
        assert back.maps[n].r2 == pytest.approx(withmaps.maps[n].r2)
        assert torch.allclose(back.maps[n].conv.weight, withmaps.maps[n].conv.weight)
    e1 = explain(net, x[0], withmaps, 'relu2', method='gradcam', allow_zero=True)
    e2 = explain(net, x[0], back, 'relu2', method='gradcam', allow_zero=True)
    assert torch.allclose(e1.masked, e2.masked) and e2.map_r2 == pytest.approx(e1.map_r2)
    save_file(net.state_dict(), str(tmp_path / 'net.safetensors'))
    assert (
        main(
            [
                'explain',
                'image',
                '--model',
                str(tmp_path / 'net.safetensors'),
                '--factory',
                'methodbook.explain.aspects:aspect_cnn',
                '--factory-kwargs',
                '{"width": 8, "n_out": 2}',
                '--image',
                str(d / 'both.png'),
                '--aspects',
                str(tmp_path / 'aspects_maps'),
                '--source-layer',
                'relu2',
                '--method',
                'ig',
            ]
        )
        == 0
    )
    assert "saliency ig at layer 'relu2'" in capsys.readouterr().out
    with pytest.raises(Exception, match="maps go from source layer 'relu2'"):
        explain(net, x[0], back, 'relu1')


def test_read_image_layouts(tmp_path):
    a = np.random.default_rng(0).random((3, 10, 12)).astype(np.float32)
    np.save(tmp_path / 'chw.npy', a)
    np.save(tmp_path / 'hwc.npy', a.transpose(1, 2, 0))
    np.save(tmp_path / 'b.npy', a[None])
    ref = read_image(tmp_path / 'chw.npy', channels=3)[0]
    for f in ('hwc.npy', 'b.npy'):
        assert torch.equal(read_image(tmp_path / f, channels=3)[0], ref)
    assert read_image(tmp_path / 'chw.npy', channels=1)[0].shape == (1, 10, 12)
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[0, 0, :3] = 255
    Image.fromarray(rgba, 'RGBA').save(tmp_path / 'rgba.png')
    x, how = read_image(tmp_path / 'rgba.png', channels=3)
    assert x.shape == (3, 4, 4) and float(x.max()) == 1.0 and 'alpha channel dropped' in how
    x, how = read_image(tmp_path / 'rgba.png', channels=3, scale='none')
    assert float(x.max()) == 255.0 and 'kept as they are' in how


def test_cache_is_keyed_atomic_and_heals(tmp_path):
    from methodbook.explain.benchmark import BenchConfig, train_models

    tiny = dict(n_task=32, n_aspect=32, n_test=4, task_steps=1, aspect_steps=1)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        a = train_models(BenchConfig(**tiny), cache=tmp_path)
        b = train_models(BenchConfig(**tiny, seed=1), cache=tmp_path)
        assert a['key'] != b['key'] and sorted(p.name for p in tmp_path.iterdir()) == sorted([a['key'], b['key']])
        assert train_models(BenchConfig(**dict(tiny, n_test=8)), cache=tmp_path)['cached']  # test-set size does not change the models
        (tmp_path / a['key'] / 'meta.json').unlink()  # a partial entry
        with pytest.warns(UserWarning, match='incomplete or corrupt'):
            c = train_models(BenchConfig(**tiny), cache=tmp_path)
    assert not c['cached'] and (tmp_path / a['key'] / 'meta.json').exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]  # no temporary or old folders left


def test_weak_aspect_models_are_retrained_and_the_retries_cached(tmp_path):
    from methodbook.explain.benchmark import BenchConfig, train_models
    from methodbook.explain.data import ASPECTS

    tiny = dict(n_task=32, n_aspect=32, n_test=4, task_steps=1, aspect_steps=1, aspect_min_acc=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        base = train_models(BenchConfig(**tiny, aspect_retries=0), cache=False)
        a = train_models(BenchConfig(**tiny, aspect_retries=2), cache=tmp_path)
        b = train_models(BenchConfig(**tiny, aspect_retries=2), cache=tmp_path)
    weak = [n for n in ASPECTS if base['aspects'].accuracy[n] < 1.0]
    assert weak and base['aspect_retries'] == []
    tried = [x['aspect'] for x in a['aspect_retries']]
    assert sorted(set(tried)) == sorted(weak)  # exactly the weak ones, and no other
    assert all(tried.count(n) <= 2 for n in weak)  # bounded
    for x in a['aspect_retries']:
        assert x['seed'] not in range(0, len(ASPECTS)) and 0 <= x['acc'] <= 1
    for n in ASPECTS:  # never worse than the first try; untouched models keep their accuracy
        assert a['aspects'].accuracy[n] >= base['aspects'].accuracy[n]
    assert b['cached'] and b['aspect_retries'] == a['aspect_retries'] and b['aspects'].accuracy == a['aspects'].accuracy


def test_no_retry_when_every_aspect_model_passes():
    from methodbook.explain.benchmark import BenchConfig, train_models

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        r = train_models(BenchConfig(n_task=32, n_aspect=32, n_test=4, task_steps=1, aspect_steps=1, aspect_min_acc=0.0), cache=False)
    assert r['aspect_retries'] == []
