"Tests for methodbook.pointcloud: Chamfer against brute force, representations, bad input, training, CLI."

import numpy as np
import pytest
import torch
import trimesh
from hypothesis import given, settings, strategies as st

torch.set_num_threads(1)

from methodbook.pointcloud.data import check_points, normalize_points, read_point_cloud, make_shapes, train_test_split, point_dropout, SHAPE_CLASSES
from methodbook.pointcloud.represent import to_tensor, VoxelGrid, BasisPointSet, REPRESENTATIONS
from methodbook.pointcloud.losses import chamfer_distance, nearest_neighbors, corrupt
from methodbook.pointcloud.model import AEConfig, PointCloudAE, PretrainConfig, pretrain, reconstruction_step
from methodbook.core import BadFileError


def chamfer_brute(a, b, squared=True, reduction='mean'):
    "Definition, pair by pair, with the full (N, M, 3) difference tensor."
    out = []
    for x, y in zip(a, b):
        d = ((x[:, None] - y[None]) ** 2).sum(-1)
        if not squared:
            d = d.sqrt()
        red = torch.mean if reduction == 'mean' else torch.sum
        out.append(red(d.min(1).values) + red(d.min(0).values))
    return torch.stack(out)


# --- Chamfer ---------------------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    B=st.integers(1, 3),
    N=st.integers(1, 40),
    M=st.integers(1, 40),
    chunk=st.integers(1, 50),
    squared=st.booleans(),
    reduction=st.sampled_from(['mean', 'sum']),
    seed=st.integers(0, 10_000),
)
def test_chamfer_equals_brute_force(B, N, M, chunk, squared, reduction, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(B, N, 3, generator=g, dtype=torch.float64)
    b = torch.randn(B, M, 3, generator=g, dtype=torch.float64)
    got = chamfer_distance(a, b, squared, reduction, chunk)
    torch.testing.assert_close(got, chamfer_brute(a, b, squared, reduction))
    torch.testing.assert_close(chamfer_distance(a, b, squared, reduction, chunk, method='brute'), got)
    torch.testing.assert_close(got, chamfer_distance(b, a, squared, reduction, chunk))  # symmetric


def test_chamfer_zero_on_identical_and_positive_otherwise():
    a = torch.rand(4, 300, 3)
    assert (chamfer_distance(a, a) == 0).all()
    assert (chamfer_distance(a, a[:, torch.randperm(300)]) == 0).all()  # order does not matter
    assert (chamfer_distance(a, a + 0.01) > 0).all()


def test_chamfer_conventions():
    "Two points at distance 2 from their only neighbour: squared mean 4+4, unsquared 2+2, sums over points."
    a = torch.tensor([[[0.0, 0, 0], [0, 0, 10]]])
    b = a + torch.tensor([2.0, 0, 0])
    assert chamfer_distance(a, a, squared=False).item() == 0
    assert chamfer_distance(a, b, squared=True).item() == pytest.approx(8.0)
    assert chamfer_distance(a, b, squared=False).item() == pytest.approx(4.0)
    assert chamfer_distance(a, b, squared=True, reduction='sum').item() == pytest.approx(16.0)


def test_chamfer_matches_kdtree_pcu_convention():
    from scipy.spatial import cKDTree

    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(1, 500, 3, generator=g, dtype=torch.float64), torch.randn(1, 300, 3, generator=g, dtype=torch.float64)
    x, y = a[0].numpy(), b[0].numpy()
    ref = cKDTree(y).query(x)[0].mean() + cKDTree(x).query(y)[0].mean()
    assert chamfer_distance(a, b, squared=False).item() == pytest.approx(ref, rel=1e-10)


def test_chamfer_gradient_matches_brute_force():
    g = torch.Generator().manual_seed(2)
    a, b = torch.randn(2, 50, 3, generator=g, dtype=torch.float64), torch.randn(2, 60, 3, generator=g, dtype=torch.float64)
    a1, a2 = a.clone().requires_grad_(), a.clone().requires_grad_()
    chamfer_distance(a1, b, chunk=7).sum().backward()
    chamfer_brute(a2, b).sum().backward()
    torch.testing.assert_close(a1.grad, a2.grad)


def test_nearest_neighbors_indices():
    a = torch.rand(2, 100, 3)
    b = torch.rand(2, 80, 3)
    d = torch.cdist(a, b)
    for method in ('kdtree', 'brute'):
        nn_ab, nn_ba = nearest_neighbors(a, b, chunk=9, method=method)
        assert torch.equal(nn_ab, d.argmin(2)) and torch.equal(nn_ba, d.argmin(1))


@pytest.mark.parametrize('bad', [torch.rand(2, 10, 2), torch.rand(10, 3), torch.rand(2, 0, 3), torch.rand(0, 10, 3)])
def test_chamfer_bad_shapes(bad):
    with pytest.raises(ValueError, match=r'\(B, N, 3\)'):
        chamfer_distance(bad, torch.rand(2, 10, 3))


# --- representations -------------------------------------------------------------------------------------------


@pytest.mark.parametrize('rep', [VoxelGrid(8), VoxelGrid(16, 'density'), BasisPointSet(64)])
def test_representation_shapes(rep):
    x = normalize_points(torch.randn(3, 200, 3))
    assert to_tensor(x, rep).shape == (3, *rep.shape)
    assert to_tensor(x[0], rep).shape == rep.shape


def test_voxel_density_sums_to_one_and_occupancy_is_binary():
    x = normalize_points(torch.randn(2, 500, 3))
    torch.testing.assert_close(to_tensor(x, 'voxel', res=16, mode='density').sum((1, 2, 3, 4)), torch.ones(2))
    occ = to_tensor(x, 'voxel', res=16)
    assert set(occ.unique().tolist()) <= {0.0, 1.0}


def test_registry_names():
    assert set(REPRESENTATIONS) == {'voxel', 'bps'}
    with pytest.raises(ValueError, match="'voxel', 'bps'"):
        to_tensor(torch.rand(5, 3), 'views')


# --- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    'points, msg',
    [
        (np.zeros((0, 3)), 'empty'),
        (np.array([[0.0, np.nan, 0], [1, 1, 1]]), 'NaN or infinite'),
        (np.array([[0.0, np.inf, 0], [1, 1, 1]]), 'NaN or infinite'),
        (np.random.rand(10, 4), 'size 3 in its last dimension'),
        (np.ones((10, 3)), 'identical'),
    ],
)
def test_bad_clouds_raise_clear_errors(points, msg):
    for f in (check_points, normalize_points, lambda p: to_tensor(torch.as_tensor(p), 'voxel'), lambda p: to_tensor(torch.as_tensor(p), 'bps', n_basis=8)):
        with pytest.raises(ValueError, match=msg):
            f(points)


def test_unreadable_mesh_file(tmp_path):
    bad = tmp_path / 'bad.off'
    bad.write_text('OFF\n3 1 0\n0 0 0\nnonsense\n')
    with pytest.raises(BadFileError, match='bad.off'):
        read_point_cloud(bad)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        read_point_cloud(tmp_path / 'missing.stl')


def test_mesh_formats_round_trip(tmp_path):
    for suffix in ('off', 'ply', 'obj', 'stl'):
        trimesh.creation.cylinder(radius=0.5, height=2).export(tmp_path / f'c.{suffix}')
        p = read_point_cloud(tmp_path / f'c.{suffix}', 300, seed=1)
        assert p.shape == (300, 3) and np.isclose(np.linalg.norm(p, axis=1).max(), 1.0, atol=1e-5)


# --- data ------------------------------------------------------------------------------------------------------


def test_dataset_is_seeded_balanced_and_normalized():
    X, y = make_shapes(3, 128, seed=5)
    assert X.shape == (3 * len(SHAPE_CLASSES), 128, 3) and len(SHAPE_CLASSES) >= 8
    np.testing.assert_array_equal(np.bincount(y), [3] * len(SHAPE_CLASSES))
    np.testing.assert_array_equal(X, make_shapes(3, 128, seed=5)[0])
    assert not np.array_equal(X, make_shapes(3, 128, seed=6)[0])
    tr, te = train_test_split(y, 1 / 3, seed=0)
    assert len(te) == len(SHAPE_CLASSES) and not set(tr) & set(te)


def test_corrupt_levels():
    x = normalize_points(torch.randn(2, 100, 3))
    assert corrupt(x, 0.0) is x
    g = torch.Generator().manual_seed(0)
    assert corrupt(x, 1.0, generator=g).shape == x.shape
    assert point_dropout(x, 0.5, generator=g).shape == x.shape


# --- model and training ----------------------------------------------------------------------------------------

TINY = AEConfig(emb_dim=16, width=4, grid_side=6, hidden=32)


@pytest.mark.parametrize('rep', ['voxel', 'bps'])
@pytest.mark.parametrize('decoder', ['mlp', 'folding'])
def test_model_shapes(rep, decoder):
    m = PointCloudAE(AEConfig(rep=rep, decoder=decoder, n_basis=32, emb_dim=16, width=4, grid_side=6, hidden=16))
    x = normalize_points(torch.randn(3, 100, 3))
    assert m(x).shape == (3, 36, 3) and m.embed(x).shape == (3, 16)


def test_short_training_reduces_loss(tmp_path):
    X, _ = make_shapes(2, 128, seed=0)
    res = pretrain(X, TINY, PretrainConfig(noise_level=0.0, batch_size=10, max_steps=40, lr=5e-3), run_dir=tmp_path / 'run')
    assert np.mean(res.losses[-5:]) < 0.8 * np.mean(res.losses[:5])
    assert (tmp_path / 'run' / 'model' / 'model.safetensors').exists() and (tmp_path / 'run' / 'metrics.jsonl').exists()


def test_pointnet_branch_builds_and_trains(tmp_path):
    "AEConfig(pointnet=k): embedding = grid embedding ++ k PointNet features, order-invariant; a short run lowers the loss."
    cfg = AEConfig(emb_dim=16, width=4, grid_side=6, hidden=32, pointnet=8)
    m = PointCloudAE(cfg).eval()
    x = normalize_points(torch.randn(3, 100, 3))
    assert m.emb_dim == 24 and m.embed(x).shape == (3, 24) and m(x).shape == (3, 36, 3)
    with torch.no_grad():
        assert torch.allclose(m.embed(x), m.embed(x[:, torch.randperm(100)]), atol=1e-5)
    X, _ = make_shapes(2, 128, seed=0)
    res = pretrain(X, cfg, PretrainConfig(noise_level=1.0, batch_size=10, max_steps=40, lr=5e-3), run_dir=tmp_path / 'run')
    assert np.mean(res.losses[-5:]) < 0.8 * np.mean(res.losses[:5])
    from methodbook.pointcloud.model import load_pretrained

    assert load_pretrained(tmp_path / 'run').embed(x).shape == (3, 24)


def test_step_fn_targets_are_clean():
    "With an identity model, the noisy step's loss is the distance from corrupted to clean; the clean step's is 0."
    ident = torch.nn.Identity()
    x = normalize_points(torch.randn(2, 200, 3))
    assert reconstruction_step(0.0)(ident, (x,))[0].item() == 0
    assert reconstruction_step(1.0)(ident, (x,))[0].item() > 0


# --- CLI -------------------------------------------------------------------------------------------------------


def test_cli_pretrain_embed(tmp_path):
    from methodbook.pointcloud.cli import main

    run = tmp_path / 'run'
    assert main(['pretrain', '--out', str(run), '--steps', '3', '--n-per-class', '2', '--n-points', '64']) == 0
    trimesh.creation.box().export(tmp_path / 'box.stl')
    trimesh.creation.icosphere().export(tmp_path / 'ball.off')
    assert main(['embed', str(run), str(tmp_path), '--out', str(tmp_path / 'e.npy'), '--n-points', '64']) == 0
    assert np.load(tmp_path / 'e.npy').shape == (2, AEConfig().emb_dim)
    assert (tmp_path / 'e.txt').read_text().split() == ['ball.off', 'box.stl']


@pytest.mark.slow
def test_demo(tmp_path):
    from methodbook.pointcloud.cli import demo

    r = demo(tmp_path)
    assert (tmp_path / 'reconstructions.png').exists() and 0 <= r['metrics']['svm_acc'] <= 1


def test_cli_pretrain_on_a_mesh_folder(tmp_path):
    "ModelNet-style folder root/<class>/{train,test}/*.off through `pretrain --data`."
    from methodbook.pointcloud.cli import main
    from methodbook.pointcloud.data import read_mesh_folder

    makers = {'box': trimesh.creation.box, 'ball': trimesh.creation.icosphere}
    for cls, make in makers.items():
        for split in ('train', 'test'):
            (tmp_path / 'set' / cls / split).mkdir(parents=True)
            for i in range(2):
                make().export(tmp_path / 'set' / cls / split / f'{cls}{i}.off')
    X, y, names = read_mesh_folder(tmp_path / 'set', 'test', n_points=64)
    assert X.shape == (4, 64, 3) and names == ['ball', 'box'] and list(y) == [0, 0, 1, 1]
    assert main(['pretrain', '--out', str(tmp_path / 'run'), '--steps', '2', '--batch-size', '2', '--data', str(tmp_path / 'set'), '--n-points', '64']) == 0
    assert (tmp_path / 'run' / 'model' / 'model.safetensors').exists()


# --- Chamfer: exact anywhere in space ----------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    offset=st.floats(-1e3, 1e3).map(round),
    axis_mix=st.lists(st.integers(-1, 1), min_size=3, max_size=3),
    N=st.integers(2, 200),
    M=st.integers(2, 200),
    method=st.sampled_from(['kdtree', 'brute']),
    squared=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_chamfer_translation_invariant_float32(offset, axis_mix, N, M, method, squared, seed):
    """Translating both float32 clouds by up to 1e3 changes the Chamfer distance by <= 1e-5 relative.

    Coordinates sit on a 2^-10 grid and offsets are integers, so the translated clouds are exactly representable
    in float32: any difference is the distance computation's own error, not rounding of the inputs."""
    g = torch.Generator().manual_seed(seed)
    a = (torch.rand(2, N, 3, generator=g) * 1024).round() / 1024
    b = (torch.rand(2, M, 3, generator=g) * 1024).round() / 1024
    t = torch.tensor(axis_mix, dtype=torch.float32) * offset
    assert torch.equal((a + t) - t, a)  # the shift itself is exact
    ref = chamfer_brute(a.double(), b.double(), squared)
    got = chamfer_distance(a + t, b + t, squared=squared, method=method).double()
    assert ((got - ref).abs() / ref.clamp_min(1e-12)).max().item() <= 1e-5


def test_chamfer_exact_zero_far_away_unsquared_and_gradient_finite():
    a = (torch.rand(3, 500, 3) + 1e3).requires_grad_()
    d = chamfer_distance(a, a.detach().clone(), squared=False)
    assert (d == 0).all()
    d.sum().backward()
    assert torch.isfinite(a.grad).all() and (a.grad == 0).all()


def test_chamfer_far_from_origin_matches_float64():
    "The issue's case: two unit clouds at offset 100 in float32 (the baddbmm expansion gave 0.00888 for 0.00760)."
    g = torch.Generator().manual_seed(0)
    a, b = torch.rand(4, 1024, 3, generator=g) + 100, torch.rand(4, 1024, 3, generator=g) + 100
    ref = chamfer_brute(a.double(), b.double())
    for method in ('kdtree', 'brute'):
        torch.testing.assert_close(chamfer_distance(a, b, method=method).double(), ref, rtol=1e-5, atol=0)
