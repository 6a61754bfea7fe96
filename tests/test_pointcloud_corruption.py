"Tests for methodbook.pointcloud.corruption: each corruption's invariants (shape, count, seed determinism, severity ordering), mCE, SOR, bad input."

import numpy as np
import pytest
import torch

torch.set_num_threads(1)

from methodbook.core import BadInputError, BadTypeError
from methodbook.pointcloud.data import make_shapes, apply_normalization
from methodbook.pointcloud.losses import chamfer_distance
from methodbook.pointcloud.corruption import (
    CORRUPTIONS,
    SEVERITIES,
    corrupt_clouds,
    corruption_accuracies,
    mean_corruption_error,
    random_affine,
    statistical_outlier_removal,
    rotation_corruption,
    scale_corruption,
    global_outliers,
    global_dropout,
    local_dropout,
    nonuniform_density,
)

X = torch.as_tensor(make_shapes(3, 200, classes=('table', 'lamp', 'torus'), seed=0)[0])  # (9, 200, 3) unit sphere
N = X.shape[1]
COUNT = {
    'global_outliers': lambda s: N + round((0.01, 0.03, 0.05)[s - 1] * N),
    'local_outliers': lambda s: N + round((0.1, 0.3, 0.5)[s - 1] * N),
    'global_dropout': lambda s: N - round((0.25, 0.5, 0.75)[s - 1] * N),
    'local_dropout': lambda s: N - round((0.1, 0.3, 0.5)[s - 1] * N),
    'nonuniform_density': lambda s: N // 2,
}


@pytest.mark.parametrize('name', CORRUPTIONS)
@pytest.mark.parametrize('severity', SEVERITIES)
def test_shape_count_finite_and_input_untouched(name, severity):
    x = X.clone()
    y = corrupt_clouds(x, name, severity, seed=0)
    assert torch.equal(x, X)  # no in-place change
    assert y.shape == (len(X), COUNT.get(name, lambda s: N)(severity), 3) and y.dtype == X.dtype and torch.isfinite(y).all()


@pytest.mark.parametrize('name', CORRUPTIONS)
def test_seed_determinism(name):
    assert torch.equal(corrupt_clouds(X, name, 2, seed=3), corrupt_clouds(X, name, 2, seed=3))
    assert not torch.equal(corrupt_clouds(X, name, 2, seed=3), corrupt_clouds(X, name, 2, seed=4))
    assert torch.equal(corrupt_clouds(X.numpy(), name, 2, seed=3), corrupt_clouds(X, name, 2, seed=3))  # arrays too


def _damage(name, s, seed):
    Y = torch.as_tensor(apply_normalization(corrupt_clouds(X, name, s, seed), 'unit_sphere'))
    return float(chamfer_distance(Y, X).mean())


@pytest.mark.parametrize('name', CORRUPTIONS)
@pytest.mark.parametrize('seed', [0, 1])
def test_severity_ordering(name, seed):
    "The same draws at every severity: damage (Chamfer to the clean cloud, both normalized) grows with severity."
    d = [_damage(name, s, seed) for s in SEVERITIES]
    assert d[0] < d[1] < d[2], d


@pytest.mark.parametrize('name', ['global_dropout', 'local_dropout', 'nonuniform_density'])
def test_dropouts_keep_a_subset_of_the_points(name):
    y = corrupt_clouds(X, name, 3, seed=0)
    assert (y[:, :, None] == X[:, None]).all(-1).any(-1).all()  # every kept point is an original point
    assert all(len(torch.unique(c, dim=0)) == c.shape[0] for c in y)  # without duplicates


def test_outliers_append_and_keep_the_cloud():
    y = global_outliers(X, 3, torch.Generator().manual_seed(0))
    assert torch.equal(y[:, :N], X) and (y[:, N:].norm(dim=-1) <= 1 + 1e-6).all()  # extra points in the unit ball
    z = corrupt_clouds(X, 'local_outliers', 3)
    assert torch.equal(z[:, :N], X)


def test_local_dropout_cuts_holes():
    "Local dropout removes clustered points: the removed points are closer together than a random subset of the same size."
    y = local_dropout(X, 2, torch.Generator().manual_seed(0))
    gone = [X[b][~(X[b][:, None] == y[b][None]).all(-1).any(-1)] for b in range(len(X))]
    rnd = [X[b][torch.randperm(N, generator=torch.Generator().manual_seed(b))[: len(gone[b])]] for b in range(len(X))]
    spread = lambda P: float(torch.cdist(P, P).mean())
    assert np.mean([spread(g) for g in gone]) < np.mean([spread(r) for r in rnd])


def test_nonuniform_density_is_skewed():
    "Kept points lean along one direction: the kept centroid moves away from the clean centroid more at higher severity."
    shift = [float((nonuniform_density(X, s, torch.Generator().manual_seed(0)).mean(1) - X.mean(1)).norm(dim=-1).mean()) for s in SEVERITIES]
    assert shift[0] < shift[1] < shift[2]


def test_transforms_are_what_they_say():
    y = rotation_corruption(X, 3, torch.Generator().manual_seed(0))
    torch.testing.assert_close(y.norm(dim=-1), X.norm(dim=-1))  # a rotation keeps norms
    A = torch.linalg.lstsq(X, scale_corruption(X, 3, torch.Generator().manual_seed(0))).solution  # (B, 3, 3), X A = Y
    off = A - torch.diag_embed(torch.diagonal(A, dim1=-2, dim2=-1))
    assert off.abs().max() < 1e-4 and (torch.diagonal(A, dim1=-2, dim2=-1) >= 1 / 2 - 1e-4).all() and (torch.diagonal(A, dim1=-2, dim2=-1) <= 2 + 1e-4).all()
    S = torch.linalg.lstsq(X, corrupt_clouds(X, 'shear', 2)).solution
    torch.testing.assert_close(torch.diagonal(S, dim1=-2, dim2=-1), torch.ones(len(X), 3), atol=1e-4, rtol=0)


def test_random_affine_identity_and_range():
    assert torch.equal(random_affine(X, 1, 0, 0), X)
    y = random_affine(X, generator=torch.Generator().manual_seed(0))
    assert y.shape == X.shape and not torch.equal(y, X)


def test_statistical_outlier_removal():
    far = torch.cat([X, torch.full((len(X), 2, 3), 0.95)], 1)
    y = statistical_outlier_removal(far, generator=torch.Generator().manual_seed(0))
    assert y.shape == far.shape and not (y == 0.95).all(-1).any()
    assert (y[:, :, None] == X[:, None]).all(-1).any(-1).all()  # only original points remain


def test_mean_corruption_error_definition():
    acc = {'clean': 0.9, 'jitter': {1: 0.8, 2: 0.7, 3: 0.6}, 'scale': {1: 0.9, 2: 0.9, 3: 0.9}}
    ref = {'clean': 0.8, 'jitter': {1: 0.6, 2: 0.5, 3: 0.4}, 'scale': {1: 0.7, 2: 0.7, 3: 0.7}}
    mce, ce = mean_corruption_error(acc, ref)
    assert ce == pytest.approx({'jitter': 0.9 / 1.5, 'scale': 0.3 / 0.9}) and mce == pytest.approx((0.6 + 1 / 3) / 2)
    assert mean_corruption_error(ref, ref)[0] == pytest.approx(1.0)
    assert mean_corruption_error(acc, ref, relative=True)[1]['jitter'] == pytest.approx(0.6 / 0.9)


def test_corruption_accuracies_end_to_end():
    Xa, ya = make_shapes(6, 128, classes=('box', 'torus', 'lamp'), seed=1)
    tr, te = np.arange(len(ya)) % 2 == 0, np.arange(len(ya)) % 2 == 1
    feat = lambda P: np.quantile(np.linalg.norm(apply_normalization(P, 'unit_sphere'), axis=-1), np.linspace(0, 1, 16), axis=1).T  # radius quantiles: any N
    acc = corruption_accuracies(feat, Xa[tr], ya[tr], Xa[te], ya[te], corruptions=('jitter', 'global_dropout'), severities=(1, 3))
    assert set(acc) == {'clean', 'jitter', 'global_dropout'} and set(acc['jitter']) == {1, 3}
    assert all(0 <= v <= 1 for k, d in acc.items() if k != 'clean' for v in d.values())


BAD = [
    (lambda: corrupt_clouds(X, 'fog', 1), BadInputError, 'corruption'),
    (lambda: corrupt_clouds(X, 'jitter', 0), BadInputError, 'severity'),
    (lambda: corrupt_clouds(X, 'jitter', 4), BadInputError, 'severity'),
    (lambda: corrupt_clouds(X, 'jitter', True), BadInputError, 'severity'),
    (lambda: corrupt_clouds(X, 'jitter', '2'), BadInputError, 'severity'),
    (lambda: corrupt_clouds(X, 'jitter', 1, seed=-1), BadInputError, 'seed'),
    (lambda: corrupt_clouds(X[0], 'jitter', 1), BadInputError, r'\(B, N, 3\)'),
    (lambda: corrupt_clouds(X[..., :2], 'scale', 1), BadInputError, 'points'),
    (lambda: corrupt_clouds(torch.full((2, 5, 3), float('nan')), 'rotation', 1), BadInputError, 'NaN'),
    (lambda: corrupt_clouds(np.array([['a', 'b', 'c']] * 4)[None], 'shear', 1), BadTypeError, 'points'),
    (lambda: global_dropout(X, 1, generator=0), BadTypeError, 'generator'),
    (lambda: local_dropout(X, 1, n_holes=0), BadInputError, 'n_holes'),
    (lambda: nonuniform_density(X, 1, keep=0), BadInputError, 'keep'),
    (lambda: random_affine(X, scale=0.5), BadInputError, 'scale'),
    (lambda: random_affine(X, shear=-1), BadInputError, 'shear'),
    (lambda: statistical_outlier_removal(X, k=N), BadInputError, 'k'),
    (lambda: statistical_outlier_removal(X, alpha=-1), BadInputError, 'alpha'),
    (lambda: mean_corruption_error({'clean': 0.9, 'jitter': {1: 0.5}}, {'clean': 0.9}), BadInputError, 'ref'),
    (lambda: corruption_accuracies('embed', X, [0] * 9, X, [0] * 9), BadTypeError, 'featurize'),
    (lambda: corruption_accuracies(lambda P: P.reshape(len(P), -1), X, [0] * 8, X, [0] * 9), BadInputError, 'labels'),
    (lambda: corruption_accuracies(lambda P: P.reshape(len(P), -1), X, [0] * 9, X, [0] * 9, corruptions=('fog',)), BadInputError, 'corruption'),
    (lambda: corruption_accuracies(lambda P: P.reshape(len(P), -1), X, [0] * 9, X, [0] * 9, severities=(5,)), BadInputError, 'severities'),
]


@pytest.mark.parametrize('i', range(len(BAD)))
def test_bad_inputs_raise_core_errors(i):
    fn, err, match = BAD[i]
    with pytest.raises(err, match=match):
        fn()
