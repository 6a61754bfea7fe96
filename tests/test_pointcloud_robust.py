"""Robust pooling, outlier removal before encoding, the `corrupt_fn` hook of `pretrain`, and the one-config pattern
(PointCloudPretrainConfig with TrainConfig passed separately) of methodbook.pointcloud (issues 16 and 18)."""

import functools
from pathlib import Path
import pytest, torch
from methodbook.core import BadInputError, BadTypeError
from methodbook.train import TrainConfig
from methodbook.pointcloud.data import make_shapes, normalize_points
from methodbook.pointcloud.losses import noisy_reconstruction_loss
from methodbook.pointcloud.corruption import noisy_affine, global_outliers, statistical_outlier_removal
from methodbook.pointcloud.model import (
    AEConfig,
    PointCloudAE,
    PointNetEncoder,
    pool_points,
    PointCloudPretrainConfig,
    PretrainConfig,
    train_config,
    pretrain,
    reconstruction_step,
)

torch.set_num_threads(1)
TINY = AEConfig(emb_dim=8, width=4, grid_side=4, hidden=16)


def _same_weights(a, b) -> bool:
    return all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))


def _files(d: Path) -> list:
    return sorted(p.relative_to(d).as_posix() for p in Path(d).rglob('*')) if Path(d).exists() else []


@pytest.fixture(scope='module')
def shapes():
    X, y = make_shapes(n_per_class=2, n_points=128, seed=0)
    return torch.as_tensor(normalize_points(X)).float(), y


# ---- pooling ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('q', [0.5, 0.8, 0.9, 0.95])
def test_quantile_pool_is_bounded_by_the_clean_cloud(q):
    "With fewer than a fraction 1 - q of outliers, however extreme, every pooled feature stays within the clean cloud's range."
    g = torch.Generator().manual_seed(1)
    f = torch.randn(3, 16, 400, generator=g)
    n_out = int(0.99 * (1 - q) * 400)
    spiked = torch.cat([f, torch.full((3, 16, n_out), 1e6)], -1)
    pooled = pool_points(spiked, 'quantile', q)
    assert (pooled <= f.amax(-1) + 1e-4).all() and (pooled >= f.amin(-1) - 1e-4).all()
    assert (pool_points(spiked, 'max') == 1e6).all()  # the max pool is taken over by a single outlier


def test_quantile_pool_one_is_the_max_and_is_order_invariant():
    f = torch.randn(2, 5, 64)
    torch.testing.assert_close(pool_points(f, 'quantile', 1.0), f.amax(-1))
    torch.testing.assert_close(pool_points(f, 'quantile', 0.9), pool_points(f[..., torch.randperm(64)], 'quantile', 0.9))


def test_quantile_pool_passes_gradients():
    f = torch.randn(2, 4, 50, requires_grad=True)
    pool_points(f, 'quantile', 0.9).sum().backward()
    assert f.grad is not None and f.grad.abs().sum() > 0 and torch.isfinite(f.grad).all()


def test_quantile_branch_moves_less_under_global_outliers(shapes):
    "The same weights, max vs quantile pool: ModelNet-C global outliers (3%) move the quantile branch's features far less."
    X, _ = shapes
    torch.manual_seed(0)
    pq = PointNetEncoder(32, pool='quantile').eval()
    pm = PointNetEncoder(32).eval()
    pm.load_state_dict(pq.state_dict())
    noisy = global_outliers(X, 2, torch.Generator().manual_seed(0))
    with torch.no_grad():
        dq, dm = (pq(noisy) - pq(X)).norm(dim=-1), (pm(noisy) - pm(X)).norm(dim=-1)
    assert dq.mean() < 0.5 * dm.mean(), (dq.mean(), dm.mean())


def test_pool_and_sor_travel_with_the_saved_model(tmp_path, shapes):
    X, _ = shapes
    cfg = AEConfig(emb_dim=8, width=4, grid_side=4, hidden=16, pointnet=8, pool='quantile', pool_q=0.8, sor=True)
    m = PointCloudAE(cfg).eval()
    m.save(tmp_path / 'm')
    m2 = PointCloudAE.load(tmp_path / 'm')
    assert (m2.cfg.pool, m2.cfg.pool_q, m2.cfg.sor) == ('quantile', 0.8, True)
    assert m2.pointnet.pool == 'quantile' and m2.pointnet.q == 0.8
    with torch.no_grad():
        torch.testing.assert_close(m2.embed(X[:4]), m.embed(X[:4]))


# ---- outlier removal before encoding --------------------------------------------------------------------------------
def test_sor_option_encodes_the_cleaned_cloud(shapes):
    X, _ = shapes
    torch.manual_seed(0)
    m_sor = PointCloudAE(AEConfig(emb_dim=8, width=4, grid_side=4, hidden=16, pointnet=8, sor=True)).eval()
    m = PointCloudAE(AEConfig(emb_dim=8, width=4, grid_side=4, hidden=16, pointnet=8)).eval()
    m.load_state_dict(m_sor.state_dict())
    with torch.no_grad():
        cleaned = statistical_outlier_removal(X, generator=torch.Generator().manual_seed(0))
        torch.testing.assert_close(m_sor.embed(X), m.embed(cleaned))
        torch.testing.assert_close(m_sor.embed(X), m_sor.embed(X))  # deterministic: a fixed seed inside


def test_sor_option_removes_isolated_outliers_before_the_max_pool(shapes):
    "Three far, isolated points move a max-pooled PointNet embedding; with SOR before encoding they barely do."
    X, _ = shapes
    far = torch.tensor([[0.9, 0.9, 0.9], [-0.9, 0.9, -0.9], [0.9, -0.9, 0.9]]).expand(len(X), 3, 3)
    noisy = torch.cat([X, far], 1)
    kw = dict(emb_dim=8, width=4, grid_side=4, hidden=16, pointnet=16)
    for seed in range(3):
        torch.manual_seed(seed)
        m_sor = PointCloudAE(AEConfig(**kw, sor=True)).eval()
        m = PointCloudAE(AEConfig(**kw)).eval()
        m.load_state_dict(m_sor.state_dict())
        with torch.no_grad():
            d_sor = (m_sor.embed(noisy) - m_sor.embed(X)).norm(dim=-1).mean()
            d = (m.embed(noisy) - m.embed(X)).norm(dim=-1).mean()
        assert d_sor < 0.25 * d, (seed, d_sor, d)


# ---- the corrupt_fn hook --------------------------------------------------------------------------------------------
def test_corrupt_fn_sees_clean_batches_and_targets_stay_clean(shapes):
    X, _ = shapes
    seen = []

    def spy(clean):
        seen.append(clean.clone())
        return clean + 0.05

    res = pretrain(X, TINY, PointCloudPretrainConfig(batch_size=5), train_config(3), corrupt_fn=spy)
    assert len(seen) == 1 + 3  # one trial call before training, then one per step
    for b in seen[1:]:  # every batch is made of the (normalized) training clouds
        assert b.shape == (5, 128, 3) and all(any(torch.allclose(c, x, atol=1e-5) for x in X) for c in b)
    assert res.model.trained_on['corrupt_fn'] == 'spy'


def test_identity_corrupt_fn_is_plain_reconstruction(shapes):
    "corrupt_fn = identity trains exactly the same weights as noise level 0 (and consumes no random numbers)."
    X, _ = shapes
    a = pretrain(X, TINY, PointCloudPretrainConfig(noise_level=0.0, batch_size=5), train_config(4, seed=2)).model
    b = pretrain(X, TINY, PointCloudPretrainConfig(noise_level=1.0, batch_size=5), train_config(4, seed=2), corrupt_fn=lambda x: x).model
    c = pretrain(X, TINY, PointCloudPretrainConfig(noise_level=1.0, batch_size=5), train_config(4, seed=2)).model
    assert _same_weights(a, b) and not _same_weights(a, c)


def test_the_trial_call_does_not_change_training(shapes):
    "The trial call runs on a forked RNG: two runs with the same seed and a random corrupt_fn give the same weights."
    X, _ = shapes
    fn = functools.partial(noisy_affine, level=0.5)
    a = pretrain(X, TINY, PointCloudPretrainConfig(batch_size=5), train_config(3, seed=1), corrupt_fn=fn).model
    b = pretrain(X, TINY, PointCloudPretrainConfig(batch_size=5), train_config(3, seed=1), corrupt_fn=fn).model
    assert _same_weights(a, b)
    step = reconstruction_step(corrupt_fn=noisy_affine)
    torch.manual_seed(0)
    l1 = step(a, (X[:4],))[0]
    torch.manual_seed(0)
    l2 = noisy_reconstruction_loss(a, X[:4], corrupt_fn=noisy_affine)
    torch.testing.assert_close(l1, l2)


def test_corrupt_fn_may_change_the_point_count(shapes):
    X, _ = shapes
    res = pretrain(X, TINY, PointCloudPretrainConfig(batch_size=5), train_config(2), corrupt_fn=lambda x: x[:, ::2])
    assert res.step == 2


@pytest.mark.parametrize(
    'fn,exc,msg',
    [
        ('noisy_affine', BadTypeError, 'corrupt_fn must be a callable'),
        (lambda x: x[..., :2], BadInputError, "corrupt_fn must return a tensor of 2 clouds"),
        (lambda x: x[0], BadInputError, 'corrupt_fn must return'),
        (lambda x: x.numpy(), BadInputError, 'corrupt_fn must return'),
        (lambda x: x * float('nan'), BadInputError, 'the output of corrupt_fn has'),
    ],
    ids=['a name', 'two coordinates', 'one cloud', 'an array', 'nan'],
)
def test_bad_corrupt_fn_is_refused_before_anything_is_written(tmp_path, shapes, fn, exc, msg):
    X, _ = shapes
    with pytest.raises(exc, match=msg.replace('(', r'\(')):
        pretrain(X, TINY, PointCloudPretrainConfig(batch_size=5), train_config(2), run_dir=tmp_path / 'run', corrupt_fn=fn)
    assert _files(tmp_path) == []


# ---- one config pattern ---------------------------------------------------------------------------------------------
def test_method_config_and_train_config_are_separate(shapes):
    X, _ = shapes
    res = pretrain(X, TINY, PointCloudPretrainConfig(noise_level=0.5, batch_size=5), TrainConfig(max_steps=3, lr=1e-3, progress=False))
    assert res.step == 3 and res.model.trained_on['noise_level'] == 0.5


def test_deprecated_pretrain_config_trains_the_same_weights(shapes):
    X, _ = shapes
    old = pretrain(X, TINY, PretrainConfig(noise_level=0.3, batch_size=5, max_steps=3, lr=1e-3, seed=4)).model
    new = pretrain(X, TINY, PointCloudPretrainConfig(0.3, 5), train_config(3, lr=1e-3, seed=4)).model
    assert _same_weights(old, new)


@pytest.mark.parametrize(
    'call,exc,msg',
    [
        (lambda X: pretrain(X, TINY, PretrainConfig(max_steps=2), train_config(2)), BadInputError, 'deprecated PretrainConfig'),
        (lambda X: pretrain(X, TINY, PointCloudPretrainConfig(), {'max_steps': 2}), BadTypeError, 'train must be a methodbook.train.TrainConfig'),
        (lambda X: pretrain(X, TINY, TrainConfig()), BadTypeError, 'cfg must be a PointCloudPretrainConfig'),
        (lambda X: PointCloudPretrainConfig(batch_size=0), BadInputError, 'PointCloudPretrainConfig.batch_size'),
        (lambda X: PointCloudPretrainConfig(noise_level=-1), BadInputError, 'PointCloudPretrainConfig.noise_level'),
        (lambda X: train_config(0), BadInputError, 'max_steps'),
        (lambda X: AEConfig(pool='mean'), BadInputError, "AEConfig.pool must be one of 'max', 'quantile'"),
        (lambda X: AEConfig(pool_q=0.1), BadInputError, 'AEConfig.pool_q'),
        (lambda X: AEConfig(pool_q=float('nan')), BadInputError, 'AEConfig.pool_q'),
        (lambda X: AEConfig(sor='yes'), BadTypeError, 'AEConfig.sor must be (true or false|True or False)'),
        (lambda X: AEConfig(pointnet=-3), BadInputError, 'AEConfig.pointnet'),
        (lambda X: PointNetEncoder(8, pool='quantile', q=1.5), BadInputError, 'q must be in'),
    ],
    ids=[
        'old and new',
        'train a dict',
        'cfg a TrainConfig',
        'batch 0',
        'noise -1',
        'steps 0',
        'pool',
        'pool_q low',
        'pool_q nan',
        'sor a string',
        'pointnet negative',
        'encoder q',
    ],
)
def test_bad_configs_name_the_field(shapes, call, exc, msg):
    X, _ = shapes
    with pytest.raises(exc, match=msg if msg.startswith('AEConfig.sor') else msg.replace('(', r'\(').replace('[', r'\[')):
        call(X)


# ---- the command line ----------------------------------------------------------------------------------------------
def test_cli_pretrains_the_robust_encoder(tmp_path, capsys):
    from methodbook import cli

    out = tmp_path / 'run'
    assert (
        cli.main(
            [
                'pointcloud',
                'pretrain',
                '--out',
                str(out),
                '--steps',
                '2',
                '--n-per-class',
                '2',
                '--n-points',
                '64',
                '--pointnet',
                '8',
                '--pool',
                'quantile',
                '--sor',
            ]
        )
        == 0
    )
    m = PointCloudAE.load(out)
    assert (m.cfg.pointnet, m.cfg.pool, m.cfg.sor) == (8, 'quantile', True)
    assert m.pointnet.pool == 'quantile'
