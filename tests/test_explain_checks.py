"Shortcut scenes, localisation metrics, shortcut intervention and cascading randomisation (methodbook.explain.data / checks)."

import math
import pytest, torch, torch.nn as nn

torch.set_num_threads(1)

from methodbook.explain.data import ASPECTS, sample_scenes, sample_shortcut_scenes, render, task_labels, shape_masks
from methodbook.explain.checks import (
    relevance_mass_accuracy,
    relevance_rank_accuracy,
    pointing_game,
    shortcut_intervention,
    shortcut_report,
    model_contrast,
    cascading_randomization,
    spearman_maps,
    ssim_maps,
    param_layers,
    ShortcutConfig,
    train_shortcut_model,
)
from methodbook.explain.aspects import AspectSet, aspect_cnn


def test_scenes_moved_but_importable_everywhere():
    import methodbook.explain as e, methodbook.explain.benchmark as b, methodbook.explain.data as d

    assert e.sample_scenes is b.sample_scenes is d.sample_scenes and e.render is d.render and b.Scenes is d.Scenes


def test_shortcut_strength_sets_the_correlation():
    for st, want in ((1.0, 1.0), (0.0, 0.5), (0.5, 0.75)):
        sc = sample_shortcut_scenes(3000, st, seed=3)
        agree = float((sc.present[:, 3] == (task_labels(sc) == 0)).float().mean())
        assert abs(agree - want) < 0.03, (st, agree)
    sc = sample_shortcut_scenes(500, 1.0, seed=1, shortcut='hbars', label=2)
    assert torch.equal(sc.present[:, 4], task_labels(sc) == 2)
    q = sc.pos // 16
    q = q[..., 0] * 2 + q[..., 1]  # present shapes in distinct quadrants
    assert all(len(set(qq[p].tolist())) == int(p.sum()) for p, qq in zip(sc.present, q))


def test_shape_masks_cover_exactly_the_chosen_shapes():
    sc = sample_scenes(20, 'task', seed=4, p_none=0.0)
    which = sc.present & (torch.arange(6) >= 3)
    m = shape_masks(sc, which)
    for a in range(3, 6):  # every distractor pixel is inside, every causal pixel outside
        px = (render(sc) - render(sc, drop=a)).abs() > 1e-6
        assert (px <= m.bool()).all()
    causal_px = (render(sc) - render(sc, drop=None) + sum(render(sc) - render(sc, drop=a) for a in range(3))).abs() > 1e-6
    assert not (causal_px & m.bool()).any()


def test_localisation_metrics_on_hand_built_maps():
    gt = torch.zeros(2, 1, 6, 6)
    gt[:, :, 1:3, 1:3] = 1
    inside = gt * torch.rand(2, 1, 6, 6) + gt * 0.1
    assert torch.allclose(relevance_mass_accuracy(inside, gt), torch.ones(2))  # everything inside: mass 1
    assert torch.allclose(relevance_rank_accuracy(inside, gt), torch.ones(2))
    assert pointing_game(inside, gt).tolist() == [1.0, 1.0]
    peak = torch.zeros(2, 1, 6, 6)
    peak[0, 0, 5, 5] = 1.0
    peak[1, 0, 2, 2] = 1.0  # peak outside / inside
    assert pointing_game(peak, gt).tolist() == [0.0, 1.0]
    assert relevance_mass_accuracy(peak, gt).tolist() == [0.0, 1.0]
    half = gt.clone()
    half[:, :, 1, 1:3] = 0
    half[:, :, 4, 4:6] = 1  # 2 of the top 4 inside
    assert torch.allclose(relevance_rank_accuracy(half, gt), torch.full((2,), 0.5))
    assert relevance_mass_accuracy(torch.zeros(2, 1, 6, 6), gt).tolist() == [0.0, 0.0]  # no relevance: no mass
    assert all(math.isnan(v) for v in pointing_game(peak, torch.zeros_like(gt)).tolist())


class Wired(nn.Module):
    "Class 0 when shape `a`'s pixels are lit in these scenes, else class 3 (a model hard-wired to one shape)."

    def __init__(self, sc, a):
        super().__init__()
        self.sc, self.where = sc, (render(sc) - render(sc, drop=a)).abs() > 0

    def forward(self, x):
        lit = (((x - self.sc.noise) * self.where).flatten(1).sum(1) > 1).float()
        return torch.stack([lit, 0 * lit, 0 * lit, 1 - lit], 1)


def test_intervention_flags_a_model_wired_to_the_shortcut():
    sc = sample_shortcut_scenes(300, 0.0, seed=7)
    hard = shortcut_intervention(Wired(sc, 3), sc)
    assert hard['use_rate'] == 1.0 and torch.equal(hard['changed'], sc.present[:, 3])
    assert shortcut_intervention(Wired(sc, 0), sc)['use_rate'] == 0.0  # wired to the square: ignores the triangle
    assert shortcut_intervention(Wired(sc, 4), sc, 'hbars')['use_rate'] == 1.0


def test_report_and_model_contrast():
    sc = sample_shortcut_scenes(40, 0.0, seed=8)
    torch.manual_seed(0)
    aset = AspectSet({n: aspect_cnn(1, 2) for n in ASPECTS}, (1, 32, 32))
    net = aspect_cnn(1, 4, 4).eval()
    iv = shortcut_intervention(net, sc)
    r = shortcut_report(net, aset, sc, iv['changed'], method='saliency')
    assert 0 <= r['report_rate'] <= 1 and 0 <= r['agree'] <= 1 and r['reported'].shape == (40,)
    none = shortcut_report(net, aset, sc, iv['changed'], among=torch.zeros(40, dtype=torch.bool), method='saliency')
    assert none['report_rate'] == 0 and math.isnan(none['mass'])
    assert model_contrast(dict(mass=0.5, report_rate=0.9), dict(mass=0.1, report_rate=0.1)) == pytest.approx(dict(mass=0.4, report_rate=0.8))


def test_cascading_randomization_moves_the_map_away():
    torch.manual_seed(0)
    net = aspect_cnn(1, 4, 4).eval()
    aset = AspectSet({n: aspect_cnn(1, 2) for n in ASPECTS}, (1, 32, 32))
    sc = sample_scenes(8, 'task', seed=0, p_none=0.0)
    rows = cascading_randomization(net, render(sc), aset, sc.present & (torch.arange(6) < 3), sc.present, method='saliency')
    assert [len(r['randomized']) for r in rows] == [0, 1, 2, 3, 4] and rows[-1]['randomized'] == param_layers(net)
    assert rows[0]['spearman'] == pytest.approx(1) and rows[-1]['spearman'] < 0.9
    before = [p.clone() for p in net.parameters()]
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))  # the model itself is untouched


def test_similarities():
    a = torch.rand(3, 1, 10, 10)
    assert torch.allclose(spearman_maps(a, 2 * a + 1), torch.ones(3)) and torch.allclose(ssim_maps(a, a), torch.ones(3))
    assert (spearman_maps(a, torch.rand(3, 1, 10, 10)).abs() < 0.5).all()


def test_shortcut_model_cache(tmp_path):
    cfg = ShortcutConfig(strength=1.0, n_train=64, steps=2)
    m = train_shortcut_model(cfg, cache=tmp_path)
    assert (tmp_path / f'shortcut-{cfg.key()}').is_dir()
    m2 = train_shortcut_model(cfg, cache=tmp_path)  # loaded, same weights
    assert all(torch.equal(a, b) for a, b in zip(m.state_dict().values(), m2.state_dict().values()))


def test_hard_scenes_keep_labels_and_interventions():
    plain, hard = sample_scenes(30, 'task', seed=2), sample_scenes(30, 'task', seed=2, style='hard')
    assert torch.equal(plain.present, hard.present) and hard.tex is not None
    x = render(hard)
    for a in range(6):  # removing a shape changes only pixels inside its box
        d = (x - render(hard, drop=a)).abs() > 1e-6
        assert (d <= shape_masks(hard, hard.present & (torch.arange(6) == a)).bool()).all()
    assert (x - render(plain)).abs().mean() > 0.05
    big = sample_scenes(10, 'aspects', seed=0, img=64, s=7, style='hard')
    assert render(big).shape == (10, 1, 64, 64) and big[:3].s == 7 and big[:3].tex.shape == (3, 1, 64, 64)


def test_bench_config_scene_fields_change_the_key_only_when_set():
    from methodbook.explain.benchmark import BenchConfig

    assert BenchConfig().key('h') == BenchConfig(scenes='plain', img=32, shape=10).key('h')
    assert BenchConfig(scenes='hard').key('h') != BenchConfig().key('h') != BenchConfig(img=64).key('h')
