"Bad inputs to methodbook.explain: each is refused with the package's error, names what was wrong, and writes nothing."

import numpy as np, pytest, torch

torch.set_num_threads(1)

from methodbook.core import BadInputError, BadTypeError, BadFileError, MissingFileError, save_pretrained
from methodbook.cli import main
from methodbook.explain.aspects import AspectSet, aspect_cnn, train_aspect_models
from methodbook.explain.saliency import saliency
from methodbook.explain.explain import explain
from methodbook.explain.own import read_image, load_model, import_factory


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    "A user's files: a TorchScript model, its weights as safetensors with the code that builds it, aspects, images."
    from safetensors.torch import save_file

    d = tmp_path_factory.mktemp('explain-bad')
    torch.manual_seed(0)
    net = aspect_cnn(1, 4, 3).eval()
    torch.jit.script(net).save(str(d / 'net.pt'))
    save_file(net.state_dict(), str(d / 'net.safetensors'))
    (d / 'arch_bad.py').write_text("from methodbook.explain.aspects import aspect_cnn\ndef build(): return aspect_cnn(1, 8, 3)\n")
    torch.save(net.state_dict(), d / 'ckpt.pt')
    AspectSet({'a': aspect_cnn(1, 4), 'b': aspect_cnn(1, 4)}, (1, 16, 16)).save(d / 'aspects')
    rng = np.random.default_rng(0)
    np.save(d / 'img.npy', rng.random((16, 16)).astype(np.float32))
    np.save(d / 'small.npy', rng.random((8, 8)).astype(np.float32))
    nan = rng.random((16, 16))
    nan[0, :3] = np.nan
    nan[1, 0] = np.inf
    np.save(d / 'nan.npy', nan)
    np.save(d / 'int16.npy', np.zeros((16, 16), np.int16))
    np.save(d / 'pickled.npy', np.array([{'a': 1}], dtype=object), allow_pickle=True)
    (d / 'existing.png').write_bytes(b'keep me')
    return d, net


def x16():
    return torch.rand(1, 1, 16, 16, generator=torch.Generator().manual_seed(1))


# ---------------------------------------------------------------- API
API = [
    # (id, call(files) -> raises, error type, words the message must contain)
    ('target out of range', lambda d, net, a: explain(net, x16(), a, target=3), BadInputError, ['target', '[0, 3)']),
    ('target negative', lambda d, net, a: explain(net, x16(), a, target=-1), BadInputError, ['target']),
    ('frac zero', lambda d, net, a: explain(net, x16(), a, frac=0.0), BadInputError, ['frac', '(0, 1]']),
    ('threshold above 1', lambda d, net, a: explain(net, x16(), a, policy='threshold', threshold=1.5), BadInputError, ['threshold', '[0, 1]']),
    ('sigma negative', lambda d, net, a: explain(net, x16(), a, sigma=-1.0), BadInputError, ['sigma']),
    ('sigma nan', lambda d, net, a: explain(net, x16(), a, sigma=float('nan')), BadInputError, ['sigma', 'finite']),
    ('occlusion window too big', lambda d, net, a: saliency(net, x16(), method='occlusion', window=17), BadInputError, ['window', '[1, 16]']),
    ('occlusion stride beyond window', lambda d, net, a: saliency(net, x16(), method='occlusion', window=4, stride=5), BadInputError, ['stride', '[1, 4]']),
    ('NaN pixels counted', lambda d, net, a: explain(net, x16() * torch.tensor(float('nan')), a), BadInputError, ['x has 256 NaN']),
    ('integer image refused by name', lambda d, net, a: explain(net, (x16() * 255).to(torch.uint8), a), BadTypeError, ['x holds uint8', '/ 255']),
    ('image shape named', lambda d, net, a: explain(net, torch.rand(1, 8, 8), a), BadInputError, ['(1, 8, 8)', '(1, 16, 16)']),
    ('unknown method', lambda d, net, a: explain(net, x16(), a, method='lime'), BadInputError, ['method', "'ig'"]),
    ('unknown policy', lambda d, net, a: explain(net, x16(), a, policy='half'), BadInputError, ['policy', "'topk'"]),
    ('unknown sign', lambda d, net, a: explain(net, x16(), a, sign='neg'), BadInputError, ['sign', "'pos'"]),
    ('presence out of range', lambda d, net, a: explain(net, x16(), a, presence=2.0), BadInputError, ['presence', '[0, 1]']),
    ('unknown source layer', lambda d, net, a: explain(net, x16(), a, source_layer='relu9'), BadInputError, ["'relu9'", 'known layers']),
    ('class_names length', lambda d, net, a: explain(net, x16(), a, class_names=['x', 'y']), BadInputError, ['class_names has 2', '3 outputs']),
    (
        'aspect labels not paired',
        lambda d, net, a: train_aspect_models(torch.rand(10, 1, 16, 16), torch.ones(9, 1), ['a'], run_dir=d / 'runs'),
        BadInputError,
        ['x has 10 images', 'y has 9 rows'],
    ),
    (
        'aspect labels not 0/1',
        lambda d, net, a: train_aspect_models(torch.rand(4, 1, 16, 16), torch.full((4, 1), 0.5), ['a'], run_dir=d / 'runs'),
        BadInputError,
        ['y must hold 0/1'],
    ),
    (
        'aspect set of another kind',
        lambda d, net, a: AspectSet.load(save_pretrained(d / 'other', aspect_cnn(), 'pointcloud.autoencoder')),
        BadFileError,
        ['other', "'explain.aspects'"],
    ),
    ('aspect set folder missing', lambda d, net, a: AspectSet.load(d / 'nowhere'), MissingFileError, ['nowhere']),
    ('npy holding pickles', lambda d, net, a: read_image(d / 'pickled.npy'), BadFileError, ['pickled.npy', 'pickled']),
    ('signed integer npy', lambda d, net, a: read_image(d / 'int16.npy'), BadInputError, ['int16', 'scale']),
    ('torch.save checkpoint not unpickled', lambda d, net, a: load_model(d / 'ckpt.pt'), BadFileError, ['ckpt.pt', 'torch.save']),
    (
        'weights do not fit the factory',
        lambda d, net, a: load_model(d / 'net.safetensors', f"{d / 'arch_bad.py'}:build"),
        BadFileError,
        ['net.safetensors', 'does not match'],
    ),
    ('factory malformed', lambda d, net, a: import_factory('just_a_module'), BadInputError, ['factory', 'package.module:callable']),
]


@pytest.mark.parametrize('name,call,err,words', API, ids=[a[0] for a in API])
def test_api_bad_input(files, name, call, err, words):
    d, net = files
    aset = AspectSet.load(d / 'aspects')
    with pytest.raises(err) as e:
        call(d, net, aset)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    assert not (d / 'runs').exists()


def test_aspect_save_onto_a_file_leaves_it(files):
    d, _ = files
    with pytest.raises(BadFileError, match='existing.png'):
        AspectSet.load(d / 'aspects').save(d / 'existing.png')
    assert (d / 'existing.png').read_bytes() == b'keep me'


def test_bench_config_fields_named():
    from methodbook.explain.benchmark import BenchConfig

    with pytest.raises(BadInputError, match=r'BenchConfig.layer_frac must be in \(0, 1\]'):
        BenchConfig(layer_frac=2.0)
    with pytest.raises(BadInputError, match='BenchConfig.policy'):
        BenchConfig(policy='nope')
    with pytest.raises(BadInputError, match='BenchConfig.lr'):
        BenchConfig(lr=float('nan'))


# ---------------------------------------------------------------- CLI
def _image(d, *extra, model='net.pt', image='img.npy'):
    return ['explain', 'image', '--model', str(d / model), '--image', str(d / image), '--aspects', str(d / 'aspects'), *extra]


CLI = [
    # (id, argv(d), words in the one error line)
    ('digits method', lambda d: ['explain', 'digits', '--method', 'lime'], ['--method', "'lime'"]),
    ('digits policy', lambda d: ['explain', 'digits', '--policy', 'half'], ['--policy']),
    ('digits index', lambda d: ['explain', 'digits', '--index', '497'], ['--index', '[0, 497)']),
    ('digits frac', lambda d: ['explain', 'digits', '--frac', '0'], ['--frac']),
    ('digits out folder missing', lambda d: ['explain', 'digits', '--out', str(d / 'no' / 'fig.png')], ['--out', 'does not exist']),
    ('scene index', lambda d: ['explain', 'scene', '--index', '300'], ['--index', '[0, 300)']),
    ('scene method', lambda d: ['explain', 'scene', '--method', 'lime'], ['--method']),
    ('benchmark seed', lambda d: ['explain', 'benchmark', '--seed', '-1'], ['--seed', '[0, 2147483647]']),
    ('image model missing', lambda d: _image(d, model='missing.pt'), ['--model', 'missing.pt', 'does not exist']),
    (
        'image aspects is a file',
        lambda d: ['explain', 'image', '--model', str(d / 'net.pt'), '--image', str(d / 'img.npy'), '--aspects', str(d / 'img.npy')],
        ['--aspects', 'expected a folder'],
    ),
    ('image safetensors without factory', lambda d: _image(d, model='net.safetensors'), ['--factory']),
    (
        'image factory not importable',
        lambda d: _image(d, '--factory', 'no_such_pkg_xyz.models:build', model='net.safetensors'),
        ['--factory', 'no_such_pkg_xyz.models', 'could not be imported'],
    ),
    (
        'image factory kwargs not JSON',
        lambda d: _image(d, '--factory', 'methodbook.explain.aspects:aspect_cnn', '--factory-kwargs', '{width: 4', model='net.safetensors'),
        ['--factory-kwargs'],
    ),
    ('image torch.save checkpoint', lambda d: _image(d, model='ckpt.pt'), ['--model', 'torch.save']),
    ('image class names count', lambda d: _image(d, '--class-names', 'a,b'), ['--class-names', '2 names', '3 outputs']),
    ('image target', lambda d: _image(d, '--target', '5'), ['target', '[0, 3)']),
    ('image size', lambda d: _image(d, image='small.npy'), ['--image', 'small.npy', '(1, 16, 16)']),
    ('image NaN pixels', lambda d: _image(d, image='nan.npy'), ['nan.npy', '4 NaN or infinite']),
    ('image figure format', lambda d: _image(d, '--out', str(d / 'fig.gif')), ['--out', '.png']),
    ('image bad mean', lambda d: _image(d, '--mean', 'a,b'), ['--mean']),
    ('image gradcam on TorchScript', lambda d: _image(d, '--method', 'gradcam'), ['TorchScript']),
    (
        'image source layer without maps',
        lambda d: _image(
            d,
            '--source-layer',
            'relu2',
            '--factory',
            'methodbook.explain.aspects:aspect_cnn',
            '--factory-kwargs',
            '{"width": 4, "n_out": 3}',
            model='net.safetensors',
        ),
        ['--source-layer', 'no maps'],
    ),
]


@pytest.mark.parametrize('name,argv,words', CLI, ids=[c[0] for c in CLI])
def test_cli_bad_input(files, capsys, monkeypatch, name, argv, words):
    d, _ = files
    import methodbook.explain.digits as dg, methodbook.explain.benchmark as bm

    def no_training(*a, **k):
        raise AssertionError('trained before checking the arguments')

    monkeypatch.setattr(dg, 'train_digit_models', no_training)
    monkeypatch.setattr(bm, 'train_models', no_training)
    monkeypatch.setattr(bm, 'run_benchmark', no_training)
    args = argv(d)
    out = d / 'fig_out.png'
    if args[1] in ('digits', 'scene', 'image') and '--out' not in args:
        args = args + ['--out', str(out)]
    assert main(args) == 2
    cap = capsys.readouterr()
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f'methodbook explain {args[1]}: error: '), cap.err
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert 'Traceback' not in cap.err and 'error' not in cap.out
    assert not out.exists() and not (d / 'fig.gif').exists()


# ---------------------------------------------------------------- data and checks (issue 17)


def test_bad_shortcut_scenes_and_masks():
    from methodbook.explain.data import sample_shortcut_scenes, sample_scenes, shape_masks

    for kw, word in (
        (dict(n=0, strength=0.5), 'n'),
        (dict(n=5, strength=-0.1), 'strength'),
        (dict(n=5, strength=float('nan')), 'strength'),
        (dict(n=5, strength=0.5, shortcut='square'), 'shortcut'),
        (dict(n=5, strength=0.5, label=4), 'label'),
        (dict(n=5, strength=0.5, label=1.5), 'label'),
        (dict(n=5, strength=0.5, p_none=2), 'p_none'),
    ):
        with pytest.raises(BadInputError, match=word):
            sample_shortcut_scenes(**kw)
    sc = sample_scenes(4, seed=0)
    for which in (torch.ones(4, 6), torch.ones(3, 6, dtype=torch.bool), torch.ones(4, 5, dtype=torch.bool)):
        with pytest.raises(BadInputError, match='which must be'):
            shape_masks(sc, which)


def test_bad_localisation_inputs():
    from methodbook.explain.checks import relevance_mass_accuracy, relevance_rank_accuracy, pointing_game

    gt = torch.zeros(2, 1, 4, 4)
    gt[:, :, :2, :2] = 1
    r = torch.rand(2, 1, 4, 4)
    for f in (relevance_mass_accuracy, relevance_rank_accuracy, pointing_game):
        with pytest.raises(BadInputError, match='same shape|one shape'):
            f(r, gt[:1])
        with pytest.raises(BadInputError, match='one shape'):
            f(torch.rand(2, 3, 4, 4), torch.zeros(2, 3, 4, 4))
        with pytest.raises(BadInputError, match='0/1'):
            f(r, gt * 0.5)
        with pytest.raises(BadInputError, match='rel'):
            f(r * float('nan'), gt)
        with pytest.raises(BadInputError, match='gt'):
            f(r, torch.zeros(4, 4))
        with pytest.raises((BadInputError, BadTypeError), match='rel'):
            f('map', gt)


def test_bad_shortcut_checks(tmp_path):
    from methodbook.explain.data import sample_shortcut_scenes, ASPECTS
    from methodbook.explain.checks import (
        ShortcutConfig,
        train_shortcut_model,
        shortcut_intervention,
        shortcut_report,
        model_contrast,
        cascading_randomization,
        spearman_maps,
        ssim_maps,
    )

    for kw, word in (
        (dict(strength=1.5), 'strength'),
        (dict(shortcut='ring'), 'shortcut'),
        (dict(label=-1), 'label'),
        (dict(steps=0), 'steps'),
        (dict(lr=0), 'lr'),
        (dict(seed=-1), 'seed'),
    ):
        with pytest.raises(BadInputError, match=f'ShortcutConfig.{word}'):
            ShortcutConfig(**kw)
    with pytest.raises(BadTypeError, match='ShortcutConfig'):
        train_shortcut_model({'strength': 0.5}, cache=tmp_path)
    assert not any(tmp_path.iterdir())  # nothing written
    sc = sample_shortcut_scenes(6, 0.0, seed=0)
    net = aspect_cnn(1, 2, 4).eval()
    with pytest.raises(BadInputError, match='shortcut'):
        shortcut_intervention(net, sc, 'square')
    with pytest.raises(BadTypeError, match='Scenes'):
        shortcut_intervention(net, torch.zeros(6, 1, 32, 32))
    aset = AspectSet({n: aspect_cnn(1, 2) for n in ASPECTS}, (1, 32, 32))
    with pytest.raises(BadInputError, match='aspects must cover'):
        shortcut_report(net, AspectSet({'a': aspect_cnn(1, 2)}, (1, 32, 32)), sc, torch.zeros(6, dtype=torch.bool))
    with pytest.raises(BadInputError, match='changed'):
        shortcut_report(net, aset, sc, torch.zeros(5, dtype=torch.bool))
    with pytest.raises(BadInputError, match='among'):
        shortcut_report(net, aset, sc, torch.zeros(6, dtype=torch.bool), among=torch.ones(6))
    with pytest.raises(BadInputError, match='ref'):
        model_contrast(dict(mass=0.0, report_rate=0.0), {'mass': 0.0})
    x = torch.rand(2, 1, 32, 32)
    p = torch.zeros(2, 6, dtype=torch.bool)
    with pytest.raises(BadInputError, match='not found'):
        cascading_randomization(net, x, aset, p, p, layers=['conv9'])
    with pytest.raises(BadInputError, match='one shape'):
        spearman_maps(torch.rand(2, 1, 4, 4), torch.rand(2, 1, 4, 5))
    with pytest.raises(BadInputError, match='win'):
        ssim_maps(torch.rand(2, 1, 4, 4), torch.rand(2, 1, 4, 4), win=7)


def test_bad_scene_options():
    from methodbook.explain.data import sample_scenes
    from methodbook.explain.benchmark import BenchConfig

    for kw, word in ((dict(img=48), 'img'), (dict(s=20), 's must'), (dict(s=4), 's must'), (dict(style='noisy'), 'style'), (dict(img=64, s=31), 's must')):
        with pytest.raises(BadInputError, match=word):
            sample_scenes(4, **kw)
    for kw, word in (
        (dict(scenes='noisy'), 'BenchConfig.scenes'),
        (dict(img=48), 'BenchConfig.img'),
        (dict(shape=15), 'BenchConfig.shape'),
        (dict(aspect_min_acc=1.5), r'BenchConfig.aspect_min_acc must be in \[0, 1\]'),
        (dict(aspect_min_acc=float('nan')), 'aspect_min_acc'),
        (dict(aspect_retries=-1), 'aspect_retries'),
        (dict(aspect_retries=11), 'BenchConfig.aspect_retries'),
        (dict(aspect_retries=1.5), 'aspect_retries'),
    ):
        with pytest.raises(BadInputError, match=word):
            BenchConfig(**kw)
