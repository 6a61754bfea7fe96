"""Bad input to methodbook.pointcloud: the API and every `methodbook pointcloud` action.

Each case asserts the error type (or, on the command line, exit code 2 and one `methodbook pointcloud ACTION: error:`
line on stderr), that the message names the offending parameter, file, line or field, and that nothing was written
or overwritten.
"""

import os, re, warnings
from pathlib import Path
import numpy as np
import pytest, torch, trimesh
from methodbook.core import BadInputError, BadTypeError, BadFileError, MissingFileError
from methodbook import cli
from methodbook.pointcloud.data import check_points, read_point_cloud, read_clouds, read_mesh_folder, folder_data, make_shapes, train_test_split
from methodbook.pointcloud.represent import voxel_grid, to_tensor
from methodbook.pointcloud.losses import chamfer_distance, corrupt
from methodbook.pointcloud.model import AEConfig, PretrainConfig, PointCloudAE, pretrain
from methodbook.pointcloud.evaluate import embed, svm_accuracy

torch.set_num_threads(1)
TINY = AEConfig(emb_dim=8, width=4, grid_side=4, hidden=16)


def _snapshot(d: Path) -> dict:
    "Every file under `d` with its bytes: equal before and after means nothing was written."
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(Path(d).rglob('*')) if p.is_file()} if Path(d).exists() else {}


def _cli_fails(capsys, argv: list, *names: str):
    "`methodbook pointcloud ...argv` exits 2 with one error line on stderr that contains every one of `names`."
    capsys.readouterr()
    assert cli.main(['pointcloud', *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f'methodbook pointcloud {argv[0]}: error: '), err
    for n in names:
        assert n in err[0], (n, err[0])
    return err[0]


# ---- clouds and tensors ---------------------------------------------------------------------------------------
API_CASES = [
    ('nan coordinates', lambda: check_points([[0, 0, float('nan')], [1, 1, float('inf')]], 'cloud'), BadInputError, 'cloud has 2 NaN or infinite'),
    ('wrong last dim', lambda: check_points(np.zeros((10, 2)), 'cloud'), BadInputError, 'cloud must have size 3 in its last dimension'),
    ('one point', lambda: check_points(np.zeros((1, 3)), 'cloud'), BadInputError, 'cloud: a cloud needs at least 2 points'),
    ('empty batch', lambda: check_points(np.zeros((2, 0, 3)), 'cloud'), BadInputError, 'cloud is empty'),
    ('degenerate cloud in a batch', lambda: check_points(np.stack([np.random.rand(5, 3), np.zeros((5, 3))])), BadInputError, 'cloud 1'),
    ('a path, not points', lambda: check_points('cloud.ply'), BadTypeError, 'points must be an array of numbers'),
    ('unnormalized into the voxel grid', lambda: voxel_grid(torch.rand(50, 3) * 3 + 100), BadInputError, 'normalize the clouds first'),
    ('unknown representation', lambda: to_tensor(torch.rand(5, 3), 'pointnet'), BadInputError, "representation must be one of 'voxel', 'bps'"),
    ('chamfer shapes', lambda: chamfer_distance(torch.rand(2, 5, 3), torch.rand(2, 5, 2)), BadInputError, 'b must be a non-empty (B, N, 3) batch'),
    ('chamfer batch sizes', lambda: chamfer_distance(torch.rand(2, 5, 3), torch.rand(3, 5, 3)), BadInputError, 'a has 2 clouds and b 3'),
    ('chamfer nan', lambda: chamfer_distance(torch.full((1, 4, 3), float('nan')), torch.rand(1, 4, 3)), BadInputError, 'chamfer_distance: a has 12 NaN'),
    ('chamfer method', lambda: chamfer_distance(torch.rand(1, 4, 3), torch.rand(1, 4, 3), method='faiss'), BadInputError, 'method must be one of'),
    ('noise level', lambda: corrupt(torch.rand(1, 10, 3), 1.5), BadInputError, 'level must be in [0, 1]'),
    ('split fraction', lambda: train_test_split(np.array([0, 1]), test_frac=1.0), BadInputError, 'test_frac must be'),
    ('unknown shape class', lambda: make_shapes(1, 16, classes=('box', 'teapot')), BadInputError, "'teapot'"),
    ('config res', lambda: AEConfig(res=12), BadInputError, 'AEConfig.res must be a power of two'),
    ('config normalize', lambda: AEConfig(normalize='cube'), BadInputError, 'AEConfig.normalize must be one of'),
    ('config noise', lambda: PretrainConfig(noise_level=float('nan')), BadInputError, 'PretrainConfig.noise_level'),
    ('pretrain one cloud', lambda: pretrain(np.random.rand(64, 3), TINY), BadInputError, 'points must be an (S, N, 3) stack'),
    ('labels length', lambda: svm_accuracy(np.zeros((6, 2)), [0, 1], np.zeros((2, 2)), [0, 1]), BadInputError, 'train: 6 samples but 2 labels'),
]


@pytest.mark.parametrize('name,call,exc,msg', API_CASES, ids=[c[0] for c in API_CASES])
def test_api_rejects(name, call, exc, msg):
    with pytest.raises(exc, match=re.escape(msg)):
        call()


# ---- files ------------------------------------------------------------------------------------------------------
PLY_HEAD = 'ply\nformat ascii 1.0\nelement vertex {nv}\nproperty float x\nproperty float y\nproperty float z\nelement face {nf}\nproperty list uchar int vertex_indices\nend_header\n'
BAD_FILES = [
    ('few_vertices.off', 'OFF\n5 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n', 'declares 5 vertices and 1 faces'),
    ('extra_lines.off', 'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n3 0 1 2\n', 'but has 5 data lines: line 7 is one too many'),
    ('nan_vertex.off', 'OFF\n3 1 0\n0 0 0\n1 nan 0\n0 1 0\n3 0 1 2\n', '1 of 3 vertices are NaN or infinite (first at line 4)'),
    ('bad_index.off', 'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n', 'line 6: a face indexes a vertex outside 0..2'),
    ('no_counts.off', 'OFF\n', "line 1: expected the counts 'vertices faces [edges]'"),
    ('not_off.off', 'PLY\n3 1 0\n', "line 1: expected the 'OFF' keyword"),
    ('cut_header.ply', 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n', "no 'end_header'"),
    ('few_rows.ply', PLY_HEAD.format(nv=4, nf=1) + '0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n', 'declares'),
    ('nan.ply', PLY_HEAD.format(nv=3, nf=1) + '0 0 0\nnan 0 0\n0 1 0\n3 0 1 2\n', 'NaN or infinite'),
    ('inf.obj', 'v 0 0 0\nv inf 0 0\nv 0 1 0\nf 1 2 3\n', 'NaN or infinite'),
    ('words.xyz', '0 0 0\n1 2\n0 1 0\n', 'line 2: expected a point of 3 numbers'),
    ('empty.stl', '', 'is empty (0 bytes)'),
    ('scan.las', 'LASF', "unsupported file type '.las'"),
    ('flat.off', 'OFF\n3 1 0\n0 0 0\n0 0 0\n0 0 0\n3 0 1 2\n', 'no surface area'),
    ('modelnet_short.off', 'OFF3 1 0\n0 0 0\n1 0 0\n3 0 1 2\n', 'declares 3 vertices and 1 faces'),  # ModelNet's run-together header
    ('faces_no_points.obj', 'f 1 2 3\n', 'holds no triangles'),
]


@pytest.mark.parametrize('fname,text,msg', BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_names_the_file(tmp_path, fname, text, msg):
    (tmp_path / fname).write_text(text)
    with pytest.raises(BadFileError) as e:
        read_point_cloud(tmp_path / fname, 64)
    assert fname in str(e.value) and msg in str(e.value), str(e.value)


@pytest.mark.parametrize(
    'arr,msg',
    [
        (np.random.rand(10, 4), 'expected an (N, 3) cloud or (S, N, 3) clouds'),
        (np.array([[0, 0, np.nan], [1, 1, 1]]), '1 of 6 coordinates are NaN'),
        (np.zeros((0, 3)), 'holds no points'),
    ],
)
def test_bad_npy(tmp_path, arr, msg):
    np.save(tmp_path / 'c.npy', arr)
    with pytest.raises(BadFileError, match=re.escape(msg)):
        read_clouds(tmp_path / 'c.npy')


class _Evil:
    def __reduce__(self):
        return (os.system, (f'touch {_Evil.target}',))


def test_pickled_npy_does_not_run(tmp_path):
    "An object .npy (a pickle) is refused by name; its payload never runs."
    _Evil.target = tmp_path / 'pwned'
    np.save(tmp_path / 'evil.npy', np.array([_Evil()], dtype=object), allow_pickle=True)
    with pytest.raises(BadFileError, match='evil.npy'):
        read_clouds(tmp_path / 'evil.npy')
    assert not (tmp_path / 'pwned').exists()


def _class_folder(root: Path, classes=('box', 'ball'), n=3):
    makers = {'box': trimesh.creation.box, 'ball': trimesh.creation.icosphere}
    for c in classes:
        (root / c).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            makers[c]().apply_translation([10.0 * i, 0, 0]).export(root / c / f'{c}{i}.off')
    return root


def test_folder_with_one_bad_file_names_it_or_skips_it_with_a_count(tmp_path):
    root = _class_folder(tmp_path / 'set')
    (root / 'ball' / 'ball9.off').write_text(BAD_FILES[0][1])
    with pytest.raises(BadFileError, match='ball9.off'):
        read_mesh_folder(root, None, 32)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        X, y, classes = read_mesh_folder(root, None, 32, on_error='skip')
    assert len(X) == 6 and any('skipped 1 of 4 files' in str(m.message) and 'ball9.off' in str(m.message) for m in w)


def test_empty_class_folder_is_never_dropped_silently(tmp_path):
    root = _class_folder(tmp_path / 'set')
    (root / 'cone').mkdir()
    with pytest.raises(BadFileError, match="class 'cone'"):
        read_mesh_folder(root, None, 32)
    with pytest.warns(UserWarning, match="class 'cone'"):
        read_mesh_folder(root, None, 32, on_error='skip')
    with pytest.raises(BadInputError, match='on_error must be one of'):
        read_mesh_folder(root, None, 32, on_error='ignore')


def test_split_folder_missing_a_test_class_is_named(tmp_path):
    root = tmp_path / 'mn'
    for c in ('box', 'ball'):
        _class_folder(root / c, (c,), 2)  # root/box/box/*.off: rename into train/
    for c in ('box', 'ball'):
        (root / c / c).rename(root / c / 'train')
    _class_folder(tmp_path / 't', ('box',), 2)
    (tmp_path / 't' / 'box').rename(root / 'box' / 'test')
    with pytest.raises(BadFileError, match="class 'ball'.*test"):
        folder_data(root, 32)


# ---- saved models -------------------------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp('pc')
    X, y = make_shapes(2, 64, seed=0)
    pretrain(X, TINY, PretrainConfig(max_steps=2, batch_size=10), run_dir=d / 'run')
    return d / 'run'


def test_load_refuses_what_is_not_a_model(tmp_path, run):
    with pytest.raises(BadFileError, match='not a saved methodbook model'):
        PointCloudAE.load(tmp_path)
    with pytest.raises(MissingFileError, match='does not exist'):
        PointCloudAE.load(tmp_path / 'nowhere')
    import json, shutil

    shutil.copytree(run / 'model', tmp_path / 'm')
    meta = json.loads((tmp_path / 'm' / 'methodbook.json').read_text())
    meta['config']['layers'] = 3
    (tmp_path / 'm' / 'methodbook.json').write_text(json.dumps(meta))
    with pytest.raises(BadFileError, match="methodbook.json.*unknown config keys"):
        PointCloudAE.load(tmp_path / 'm')


def test_embed_api_refuses_bad_clouds(run):
    m = PointCloudAE.load(run)
    with pytest.raises(BadInputError, match='points has 24 NaN'):
        embed(m, np.full((1, 8, 3), np.nan))
    with pytest.raises(BadInputError, match='level must be in'):
        embed(m, np.random.rand(2, 8, 3), level=-0.1)


# ---- the command line: one error line, exit 2, nothing written --------------------------------------------------
def test_cli_pretrain_checks_arguments_before_work(tmp_path, capsys):
    out = tmp_path / 'out'
    _cli_fails(capsys, ['pretrain', '--out', str(out), '--noise', '2'], '--noise must be in [0, 1]')
    _cli_fails(capsys, ['pretrain', '--out', str(out), '--res', '12'], '--res must be a power of two')
    _cli_fails(capsys, ['pretrain', '--out', str(out), '--data', str(tmp_path / 'none')], '--data', 'does not exist')
    _cli_fails(capsys, ['pretrain', '--out', str(out), '--on-error', 'ignore'], '--on-error must be one of')
    _cli_fails(capsys, ['pretrain', '--out', str(out), '--normalize', 'cube'], '--normalize must be one of')
    _cli_fails(capsys, ['pretrain', '--out', str(out), '--pool', 'mean'], "--pool must be one of 'max', 'quantile'")
    _cli_fails(capsys, ['pretrain', '--out', str(out), '--pointnet', '-1'], '--pointnet')
    (tmp_path / 'file').write_text('keep')
    _cli_fails(capsys, ['pretrain', '--out', str(tmp_path / 'file')], '--out', 'is a file')
    assert not out.exists() and (tmp_path / 'file').read_text() == 'keep'


def test_cli_pretrain_bad_file_in_data_names_it_and_writes_nothing(tmp_path, capsys):
    root = _class_folder(tmp_path / 'set')
    (root / 'box' / 'box7.ply').write_text('ply\nformat ascii 1.0\nelement vertex 3\n')
    _cli_fails(capsys, ['pretrain', '--data', str(root), '--out', str(tmp_path / 'run'), '--steps', '1'], 'box7.ply', 'end_header')
    assert not (tmp_path / 'run').exists()


def test_cli_pretrain_refuses_to_overwrite_a_run(tmp_path, capsys, run):
    import shutil

    shutil.copytree(run, tmp_path / 'run')
    before = _snapshot(tmp_path / 'run')
    _cli_fails(capsys, ['pretrain', '--out', str(tmp_path / 'run'), '--steps', '1'], 'already holds a run', '--overwrite')
    assert _snapshot(tmp_path / 'run') == before


def test_cli_embed_bad_inputs_write_nothing(tmp_path, capsys, run):
    good = tmp_path / 'box.off'
    trimesh.creation.box().export(good)
    np.save(tmp_path / 'nan.npy', np.full((2, 5, 3), np.nan))
    _cli_fails(capsys, ['embed', str(tmp_path / 'norun'), str(good), '--out', str(tmp_path / 'e.npy')], 'model folder', 'does not exist')
    _cli_fails(capsys, ['embed', str(run), str(tmp_path / 'nan.npy'), '--out', str(tmp_path / 'e.npy')], 'nan.npy', '30 of 30 coordinates are NaN')
    _cli_fails(capsys, ['embed', str(run), str(good), '--out', str(tmp_path / 'e.csv')], '--out must be a .npy')
    _cli_fails(capsys, ['embed', str(run), str(good), '--out', str(tmp_path / 'no' / 'e.npy')], '--out', 'does not exist')
    _cli_fails(capsys, ['embed', str(run), str(good), '--n-points', '1'], '--n-points must be')
    _cli_fails(capsys, ['embed', str(run), str(tmp_path / 'missing.ply')], 'inp', 'missing.ply')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['box.off', 'nan.npy']


def test_cli_evaluate_bad_inputs(tmp_path, capsys, run):
    root = _class_folder(tmp_path / 'one', n=1)  # one mesh per class: nothing left for a test split
    _cli_fails(capsys, ['evaluate', str(run), '--data', str(root)], 'has no test clouds')
    _cli_fails(capsys, ['evaluate', str(run), '--noise', '-1'], '--noise must be in [0, 1]')
    _cli_fails(capsys, ['evaluate', str(run), '--data', str(tmp_path / 'nowhere')], '--data', 'does not exist')
    _cli_fails(capsys, ['evaluate', str(run), '--out', str(tmp_path)], '--out', 'is a folder')
