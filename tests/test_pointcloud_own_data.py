"""methodbook.pointcloud on the user's own files, through the CLI and the API: metre-scale meshes far from the origin,
mixed formats, both folder layouts, embed of every input form, evaluation on the recorded data or on other data."""

import json
from pathlib import Path
import numpy as np
import pytest, torch, trimesh
from methodbook import cli
from methodbook.pointcloud.data import folder_data, read_point_cloud, data_fingerprint
from methodbook.pointcloud.represent import voxel_grid
from methodbook.pointcloud.model import AEConfig, PretrainConfig, PointCloudAE, pretrain
from methodbook.pointcloud.evaluate import embed, evaluate_model

torch.set_num_threads(1)
MAKERS = {
    'crate': lambda s: trimesh.creation.box(extents=[2.0 * s, 1.5, 1.0]),
    'ball': lambda s: trimesh.creation.icosphere(radius=1.2 * s),
    'pipe': lambda s: trimesh.creation.cylinder(radius=0.3, height=3.0 * s),
}


def write_meshes(root: Path, n: int = 4, split: str | None = None, offset=(250.0, -40.0, 12.5)):
    "Class folders of metre-scale meshes, far from the origin, alternating .ply and .off."
    for cls, make in MAKERS.items():
        d = root / cls / split if split else root / cls
        d.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            make(1 + 0.1 * i).apply_translation(np.add(offset, [i, 0, 0])).export(d / f'{cls}_{i}.{"ply" if i % 2 else "off"}')
    return root


def run_cli(capsys, *argv):
    capsys.readouterr()
    rc = cli.main(['pointcloud', *map(str, argv)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return out.out, out.err


@pytest.fixture(scope='module')
def own(tmp_path_factory):
    return write_meshes(tmp_path_factory.mktemp('own') / 'meshes', n=4)


@pytest.fixture(scope='module')
def own_run(own, tmp_path_factory):
    run = tmp_path_factory.mktemp('runs') / 'run'
    assert cli.main(['pointcloud', 'pretrain', '--data', str(own), '--out', str(run), '--steps', '4', '--batch-size', '4', '--n-points', '128']) == 0
    return run


def test_pretrain_records_the_data(own, own_run):
    m = PointCloudAE.load(own_run)
    t = m.trained_on
    assert t['source'] == str(own.resolve()) and t['hash'] == data_fingerprint(own) and t['classes'] == ['ball', 'crate', 'pipe']
    assert t['layout'] == 'flat' and t['n_points'] == 128 and t['n_clouds'] == 6
    meta = json.loads((own_run / 'model' / 'methodbook.json').read_text())
    assert meta['kind'] == 'pointcloud.autoencoder' and meta['extra']['normalization']['method'] == 'unit_sphere'


def test_metre_scale_clouds_are_normalized_not_one_voxel(own):
    raw = read_point_cloud(own / 'ball' / 'ball_1.ply', 256, normalize='none')
    assert np.abs(raw).max() > 200  # metres, far from the origin
    norm = read_point_cloud(own / 'ball' / 'ball_1.ply', 256)
    occupied = int(voxel_grid(torch.from_numpy(norm)).sum())
    assert occupied > 20  # spread over the grid, not one corner cell


@pytest.mark.parametrize('form', ['ply', 'off', 'xyz', 'npy1', 'npyS', 'int_npy', 'folder'])
def test_cli_embed_every_input_form(tmp_path, capsys, own, own_run, form):
    src = own / 'ball' / 'ball_1.ply'
    pts = read_point_cloud(src, 300, normalize='none')
    inp, n = {
        'ply': (src, 1),
        'off': (own / 'crate' / 'crate_0.off', 1),
        'xyz': (tmp_path / 'c.xyz', 1),
        'npy1': (tmp_path / 'c.npy', 1),
        'npyS': (tmp_path / 's.npy', 3),
        'int_npy': (tmp_path / 'i.npy', 1),
        'folder': (own, 12),
    }[form]
    np.savetxt(tmp_path / 'c.xyz', pts)
    np.save(tmp_path / 'c.npy', pts)
    np.save(tmp_path / 's.npy', np.stack([pts, pts + 5, pts * 2]))
    np.save(tmp_path / 'i.npy', np.round(pts * 100).astype(np.int64))  # centimetres as integers
    out, err = run_cli(capsys, 'embed', own_run, inp, '--out', tmp_path / 'e.npy')
    E = np.load(tmp_path / 'e.npy')
    assert E.shape == (n, PointCloudAE.load(own_run).emb_dim) and np.isfinite(E).all()
    assert len((tmp_path / 'e.txt').read_text().split()) == n
    assert 'normalized as in pretraining' in out and not err
    if form == 'npyS':  # translated and scaled copies of one cloud: the same after normalization
        np.testing.assert_allclose(E[0], E[1], atol=1e-4)
        np.testing.assert_allclose(E[0], E[2], atol=1e-4)


def test_cli_embed_equals_api_embed_of_raw_clouds(tmp_path, capsys, own, own_run):
    run_cli(capsys, 'embed', own_run, own / 'pipe' / 'pipe_2.off', '--out', tmp_path / 'e.npy')
    m = PointCloudAE.load(own_run)
    api = embed(m, read_point_cloud(own / 'pipe' / 'pipe_2.off', 128))
    np.testing.assert_allclose(np.load(tmp_path / 'e.npy')[0], api, atol=1e-5)


def test_cli_evaluate_defaults_to_the_recorded_data(tmp_path, capsys, own_run, own):
    out, err = run_cli(capsys, 'evaluate', own_run, '--out', tmp_path / 'm.json')
    assert 'warning' not in err and str(own.resolve()) in err
    m = json.loads((tmp_path / 'm.json').read_text())
    assert set(m) >= {'svm_acc', 'gap', 'test_chamfer'} and 0 <= m['svm_acc'] <= 1


def test_cli_evaluate_on_other_data_warns_naming_both(tmp_path, capsys, own_run, own):
    other = write_meshes(tmp_path / 'other', n=2, offset=(0.0, 0.0, 0.0))
    out, err = run_cli(capsys, 'evaluate', own_run, '--data', other)
    warn = [l for l in err.splitlines() if 'warning' in l]
    assert len(warn) == 1 and str(own.resolve()) in warn[0] and str(other.resolve()) in warn[0]
    assert data_fingerprint(own) in warn[0] and data_fingerprint(other) in warn[0]
    _, err = run_cli(capsys, 'evaluate', own_run, '--seed', '3')  # same data, another split: some test clouds were seen
    assert 'split differs from pretraining' in err


def test_embedded_shapes_run_evaluated_on_a_folder_warns(tmp_path, capsys, own):
    run_cli(capsys, 'pretrain', '--out', tmp_path / 'run', '--steps', '2', '--n-per-class', '2', '--n-points', '64')
    _, err = run_cli(capsys, 'evaluate', tmp_path / 'run', '--data', own, '--n-points', '64')
    assert 'warning: the model was trained on embedded shapes' in err and str(own.resolve()) in err


def test_split_layout_and_skip_with_a_count(tmp_path, capsys):
    root = tmp_path / 'mn'
    write_meshes(root, n=3, split='train')
    write_meshes(root, n=2, split='test')
    (root / 'ball' / 'train' / 'broken.off').write_text('OFF\n9 1 0\n0 0 0\n')
    out, err = run_cli(
        capsys, 'pretrain', '--data', root, '--out', tmp_path / 'run', '--steps', '2', '--batch-size', '3', '--n-points', '64', '--on-error', 'skip'
    )
    assert 'warning: skipped 1 of 4 files' in err and 'broken.off' in err
    d = folder_data(root, 64, on_error='skip')
    assert (len(d.X_train), len(d.X_test), d.info['layout']) == (9, 6, 'split')
    _, err = run_cli(capsys, 'evaluate', tmp_path / 'run', '--on-error', 'skip')
    assert 'the model was trained on' not in err


def test_api_own_data_save_load_and_normalization_none(tmp_path, own):
    d = folder_data(own, 64, seed=1)
    pretrain(
        d.X_train, AEConfig(emb_dim=8, width=4, grid_side=4, hidden=16), PretrainConfig(max_steps=2, batch_size=3), run_dir=tmp_path / 'run', data_info=d.info
    )
    m = PointCloudAE.load(tmp_path / 'run')
    assert m.trained_on['hash'] == d.info['hash'] and m.trained_on['seed'] == 1
    e = folder_data(own, 64, seed=2)
    with pytest.warns(UserWarning, match='split differs'):
        evaluate_model(m, e.X_train, e.y_train, e.X_test, e.y_test, data_info=e.info)
    # a model that takes coordinates as given refuses raw metre-scale clouds instead of clamping them into one voxel
    cfg = AEConfig(emb_dim=8, width=4, grid_side=4, hidden=16, normalize='none')
    PointCloudAE(cfg).save(tmp_path / 'none')
    m2 = PointCloudAE.load(tmp_path / 'none')
    assert m2.cfg.normalize == 'none'
    with pytest.raises(ValueError, match='normalize the clouds first'):
        embed(m2, read_point_cloud(own / 'ball' / 'ball_0.off', 64, normalize='none'))
