"Tests for methodbook.pointcloud.shapes: the 20 compositional classes, seeded determinism, the ModelNet-style folder and its read-back."

import numpy as np
import pytest
import torch
import trimesh

torch.set_num_threads(1)

from methodbook.core import BadInputError, BadFileError
from methodbook.pointcloud.shapes import COMPOSITE_CLASSES, make_object, write_off, write_shape_folder, _instance
from methodbook.pointcloud.data import read_off, read_mesh_folder, folder_data, folder_layout, sample_mesh


def test_twenty_distinct_classes():
    assert len(COMPOSITE_CLASSES) >= 20 and len(set(COMPOSITE_CLASSES)) == len(COMPOSITE_CLASSES)


@pytest.mark.parametrize('name', COMPOSITE_CLASSES)
def test_every_class_builds_varied_valid_meshes(name):
    meshes = [make_object(name, np.random.default_rng(i)) for i in range(4)]
    for m in meshes:
        assert isinstance(m, trimesh.Trimesh) and m.area > 0 and np.isfinite(m.vertices).all() and len(m.faces) > 0
        assert m.faces.max() < len(m.vertices)
    ext = np.array([m.extents for m in meshes])
    assert np.ptp(ext, axis=0).max() > 1e-3, f"{name}: instances do not vary"  # intra-class variation
    assert sample_mesh(meshes[0], 64, seed=0).shape == (64, 3)


def test_make_object_seeded():
    a, b = make_object('airplane', np.random.default_rng(7)), make_object('airplane', np.random.default_rng(7))
    np.testing.assert_array_equal(a.vertices, b.vertices)
    np.testing.assert_array_equal(a.faces, b.faces)
    assert not np.array_equal(a.vertices, make_object('airplane', np.random.default_rng(8)).vertices)


def test_instance_does_not_depend_on_other_classes():
    "Instance i of a class is seeded from (seed, class index, i): unchanged by which other classes are written."
    ci = COMPOSITE_CLASSES.index('mug')
    np.testing.assert_array_equal(_instance(0, ci, 3, 'mug').vertices, _instance(0, ci, 3, 'mug').vertices)
    assert not np.array_equal(_instance(0, ci, 3, 'mug').vertices, _instance(1, ci, 3, 'mug').vertices)


def _tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob('*')) if p.is_file()}


def test_folder_is_seeded_and_modelnet_style(tmp_path):
    a = write_shape_folder(tmp_path / 'a', n_per_class=5, test_frac=0.4, classes=('chair', 'car', 'tent'), seed=3)
    b = write_shape_folder(tmp_path / 'b', n_per_class=5, test_frac=0.4, classes=('chair', 'car', 'tent'), seed=3)
    c = write_shape_folder(tmp_path / 'c', n_per_class=5, test_frac=0.4, classes=('chair', 'car', 'tent'), seed=4)
    assert _tree(a) == _tree(b) and _tree(a) != _tree(c)
    assert folder_layout(a) == 'split'
    for cls in ('chair', 'car', 'tent'):
        assert len(list((a / cls / 'train').glob('*.off'))) == 3 and len(list((a / cls / 'test').glob('*.off'))) == 2
    assert not list(tmp_path.glob('.a.*'))  # no temporary folder left behind


def test_folder_reads_back_through_the_existing_readers(tmp_path):
    root = write_shape_folder(tmp_path / 's', n_per_class=4, test_frac=0.25, classes=('bowl', 'ladder', 'sofa', 'guitar'), seed=0)
    X, y, classes = read_mesh_folder(root, 'train', n_points=128)
    assert classes == sorted(['bowl', 'ladder', 'sofa', 'guitar']) and X.shape == (12, 128, 3) and np.bincount(y).tolist() == [3] * 4
    cd = folder_data(root, n_points=128)
    assert cd.X_test.shape == (4, 128, 3) and cd.info['layout'] == 'split' and cd.info['n_train'] == 12
    assert np.allclose(np.linalg.norm(cd.X_train, axis=-1).max(1), 1, atol=1e-5)  # unit-sphere normalized
    m = read_off(next((root / 'bowl' / 'train').glob('*.off')))
    assert len(m.faces) > 0


def test_write_off_round_trip(tmp_path):
    m = make_object('vase', np.random.default_rng(0))
    back = read_off(write_off(m, tmp_path / 'v.off'))
    np.testing.assert_array_equal(back.faces, m.faces)
    np.testing.assert_allclose(back.vertices, m.vertices, atol=1e-5)


def test_overwrite_rules(tmp_path):
    root = write_shape_folder(tmp_path / 's', n_per_class=2, classes=('door',))
    before = _tree(root)
    with pytest.raises(BadFileError, match='overwrite=True'):
        write_shape_folder(root, n_per_class=2, classes=('bed',))
    assert _tree(root) == before
    write_shape_folder(root, n_per_class=2, classes=('bed',), overwrite=True)
    assert sorted(p.name for p in root.iterdir()) == ['bed', 'shapes.json']
    mine = tmp_path / 'mine'
    mine.mkdir()
    (mine / 'keep.txt').write_text('precious')
    with pytest.raises(BadFileError, match='not written by'):
        write_shape_folder(mine, n_per_class=2, overwrite=True)
    assert (mine / 'keep.txt').read_text() == 'precious'


@pytest.mark.parametrize(
    'kwargs, err, match',
    [
        (dict(n_per_class=1), BadInputError, 'n_per_class'),
        (dict(n_per_class=2.5), BadInputError, 'n_per_class'),
        (dict(test_frac=0), BadInputError, 'test_frac'),
        (dict(test_frac=1.0), BadInputError, 'test_frac'),
        (dict(classes=('chair', 'giraffe')), BadInputError, 'giraffe'),
        (dict(classes='chair'), BadInputError, 'classes'),
        (dict(classes=()), BadInputError, 'classes'),
        (dict(seed=-1), BadInputError, 'seed'),
    ],
)
def test_bad_arguments_write_nothing(tmp_path, kwargs, err, match):
    with pytest.raises(err, match=match):
        write_shape_folder(tmp_path / 'out', **{'n_per_class': 2, **kwargs})
    assert not (tmp_path / 'out').exists() and list(tmp_path.iterdir()) == []


def test_root_is_a_file(tmp_path):
    f = tmp_path / 'f'
    f.write_text('x')
    with pytest.raises(BadFileError, match='root'):
        write_shape_folder(f, n_per_class=2)
    assert f.read_text() == 'x'


def test_make_object_bad_inputs():
    with pytest.raises(BadInputError, match='shape class'):
        make_object('giraffe', np.random.default_rng(0))
    with pytest.raises(BadInputError, match='rng'):
        make_object('chair', 0)
