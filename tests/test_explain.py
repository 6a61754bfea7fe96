"Tests of methodbook.explain: masks, maps, explain on a constructed case, errors, CLI."

import torch, torch.nn as nn, pytest
from hypothesis import given, settings, strategies as st

torch.set_num_threads(1)

from methodbook.explain.saliency import saliency, make_mask, mask_topk, masked_representation, SALIENCY_METHODS
from methodbook.explain.mapping import IdentityMap, fit_linear_map, r2_score
from methodbook.explain.aspects import AspectSet, aspect_cnn, fit_aspect_maps, layer_activations
from methodbook.explain.explain import explain, explain_batch, masked_presence


class HalfMean(nn.Module):
    "Logit(s) from the mean brightness of the left or right half of the image."

    def __init__(self, side, two=False):
        super().__init__()
        self.side, self.two = side, two

    def forward(self, x):
        W = x.shape[-1]
        h = x[..., : W // 2] if self.side == 'left' else x[..., W // 2 :]
        s = h.flatten(1).mean(1, keepdim=True) * 50 - 2
        return torch.cat([torch.zeros_like(s), s], 1) if self.two else s


def two_blobs():
    x = torch.zeros(1, 1, 16, 16)
    x[0, 0, 5:9, 2:6] = 1.0
    x[0, 0, 5:9, 10:14] = 1.0
    return x


def blob_aspects():
    return AspectSet({'left blob': HalfMean('left'), 'right blob': HalfMean('right')}, (1, 16, 16))


@settings(max_examples=60, deadline=None)
@given(B=st.integers(1, 3), H=st.integers(2, 12), W=st.integers(2, 12), frac=st.floats(0.01, 1.0), levels=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_topk_keeps_exact_fraction_with_ties(B, H, W, frac, levels, seed):
    r = torch.randint(0, levels, (B, 1, H, W), generator=torch.Generator().manual_seed(seed)).float()
    m = mask_topk(r, frac)
    k = max(1, round(frac * H * W))
    assert m.sum((1, 2, 3)).tolist() == [float(k)] * B
    assert set(m.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(m, mask_topk(r, frac))  # deterministic
    kept_min = torch.where(m.bool(), r, torch.inf).flatten(1).amin(1)  # everything kept >= everything dropped
    dropped_max = torch.where(m.bool(), -torch.inf, r).flatten(1).amax(1)
    assert (kept_min >= dropped_max).all()


@pytest.mark.parametrize('policy', ['topk', 'smooth_topk'])
def test_policies_keep_fraction(policy):
    rel = torch.rand(4, 3, 20, 20)
    assert make_mask(rel, policy, frac=0.25).sum((1, 2, 3)).tolist() == [100.0] * 4


def test_masked_representation_fill():
    rep, m = torch.ones(1, 2, 4, 4), torch.zeros(1, 1, 4, 4)
    m[..., :2, :] = 1
    out = masked_representation(rep, m, fill=-1.0)
    assert out[..., :2, :].eq(1).all() and out[..., 2:, :].eq(-1).all()


def test_identity_map_exact():
    h = torch.randn(3, 5, 7, 7)
    assert torch.equal(IdentityMap()(h), h)
    maps = fit_aspect_maps(nn.Identity(), blob_aspects(), torch.randn(4, 1, 16, 16))
    assert all(isinstance(m, IdentityMap) for m in maps.values())


def test_mapping_beats_mean_baseline_on_real_activations():
    torch.manual_seed(0)
    src_net, tgt_net = aspect_cnn(1, 8, 3).eval(), aspect_cnn(1, 6, 1).eval()
    x = torch.rand(200, 1, 16, 16)
    src, tgt = layer_activations(src_net, x, 'relu2'), layer_activations(tgt_net, x, 'relu2')
    mp = fit_linear_map(src, tgt, kernel_size=3)
    assert mp.r2 > mp.r2_baseline + 0.3, (mp.r2, mp.r2_baseline)
    assert abs(mp.r2_baseline) < 0.05
    assert mp(src[:2]).shape == tgt[:2].shape
    assert abs(r2_score(tgt, tgt) - 1) < 1e-6


def test_explain_constructed_case():
    e = explain(HalfMean('left', two=True), two_blobs(), blob_aspects(), method='ig', policy='topk', frac=0.0625, sigma=0.0, target=1)
    assert e.reported == ['left blob']
    assert (e.whole > 0.5).all()
    assert 'left blob' in e.to_text() and 'explanation: left blob' in str(e)
    import matplotlib

    matplotlib.use('Agg')
    e.plot()


def test_random_mask_same_code_path():
    x = two_blobs()
    m = torch.zeros(1, 1, 16, 16)
    m[..., 10:, :] = 1  # keeps neither blob
    p = masked_presence(HalfMean('left', two=True), x, m, blob_aspects())
    assert (p < 0.5).all()


@pytest.mark.parametrize('method', SALIENCY_METHODS)
def test_every_method_runs_input_and_layer(method):
    torch.manual_seed(0)
    net = aspect_cnn(1, 4, 3).eval()
    x = torch.rand(2, 1, 16, 16)
    assert saliency(net, x, method=method, window=4, stride=4).shape == x.shape
    if method != 'occlusion':
        assert saliency(net, x, method=method, layer='relu2').shape == (2, 8, 8, 8)


def test_errors_are_clear():
    x, aset, model = two_blobs(), blob_aspects(), HalfMean('left', two=True)
    with pytest.raises(ValueError, match='does not match'):
        explain(model, torch.zeros(1, 8, 8), aset)
    with pytest.raises(ValueError, match='does not match'):
        explain(model, torch.zeros(2, 2, 16, 16), aset)
    with pytest.raises(ValueError, match='empty'):
        explain(model, x, {})
    with pytest.raises(ValueError, match='all-zero relevance'):
        explain(model, x, aset, target=0)
    net = aspect_cnn(1, 4, 2)
    with pytest.raises(ValueError, match="layer 'nope' not found"):
        explain(net, x, aset, source_layer='nope')
    with pytest.raises(ValueError, match='method must be one of'):
        explain(model, x, aset, method='lime')
    with pytest.raises(ValueError, match='policy must be one of'):
        explain(model, x, aset, target=1, policy='half')
    # all-zero relevance can be allowed in batch runs: nothing is reported there
    r = explain_batch(model, x, aset, target=0, allow_zero=True)
    assert r['zero'].all() and (r['masked'] == 0).all()


class LeftMinusRight(nn.Module):
    "Two logits: [0, evidence for the left half minus stronger evidence against, from the right half]."

    def forward(self, x):
        W = x.shape[-1]
        s = 50 * x[..., : W // 2].flatten(1).mean(1, keepdim=True) - 100 * x[..., W // 2 :].flatten(1).mean(1, keepdim=True)
        return torch.cat([torch.zeros_like(s), s], 1)


def test_sign_pos_masks_positive_evidence_only():
    x, aset, model = two_blobs(), blob_aspects(), LeftMinusRight()
    kw = dict(method='ig', policy='topk', frac=16 / 256, sigma=0.0, target=1)
    assert explain(model, x, aset, **kw).reported == ['right blob']  # |r|: the stronger, negative evidence
    assert explain(model, x, aset, sign='pos', **kw).reported == ['left blob']  # only what argues for the class


def test_internal_layer_with_learned_maps():
    torch.manual_seed(0)
    model = aspect_cnn(1, 8, 2).eval()
    aset = AspectSet({'a': aspect_cnn(1, 4), 'b': aspect_cnn(1, 4)}, (1, 16, 16))
    x = torch.rand(64, 1, 16, 16)
    maps = fit_aspect_maps(model, aset, x, 'relu2', 'relu2')
    e = explain(model, x[0], aset, 'relu2', 'relu2', maps, method='gradcam', allow_zero=True)
    assert e.mask.shape == (8, 8) and set(e.map_r2) == {'a', 'b'}
    with pytest.raises(ValueError, match='needs maps'):
        explain(model, x[0], aset, 'relu2', 'relu2')
    with pytest.raises(ValueError, match='known layers'):
        fit_aspect_maps(model, aset, x, 'relu2', 'relu9')


def test_benchmark_pieces():
    from methodbook.explain.benchmark import sample_scenes, render, task_labels, causal_aspects, explanation_scores

    sc = sample_scenes(50, 'task', seed=0, p_none=0.0)
    x = render(sc)
    assert x.shape == (50, 1, 32, 32) and (task_labels(sc) < 3).all()

    class Constant(nn.Module):  # ignores its input
        def forward(self, x):
            return torch.nn.functional.one_hot(task_labels(sc), 4).float()

    assert causal_aspects(Constant(), sc).sum() == 0  # so no aspect is causal for it

    class SquareDetector(nn.Module):  # class 0 iff the scene's square pixels are lit
        def forward(self, x):
            where = (render(sc) - render(sc, drop=0)).abs() > 0  # the square's pixels
            lit = ((x - sc.noise) * where).flatten(1).sum(1) > 1
            return torch.stack([lit.float(), 1 - lit.float(), 0 * lit, 0 * lit], 1).float()

    c = causal_aspects(SquareDetector(), sc)
    assert torch.equal(c, sc.present & (torch.arange(6) == 0))  # the square, exactly where present
    s = explanation_scores(sc.present, sc.present & (torch.arange(6) < 3), sc.present)
    assert s['recall'] == 1 and s['distractor_fp'] == 1


def test_cli_digits_and_help(capsys):
    from methodbook.explain import cli

    assert cli.main(['digits', '--index', '2', '--method', 'saliency']) == 0
    out = capsys.readouterr().out
    assert 'explanation:' in out and 'true digit' in out
    assert cli.main(['digits', '--method', 'lime']) == 2
    assert cli.main([]) == 0 and 'benchmark' in capsys.readouterr().out  # lists the actions
    with pytest.raises(SystemExit) as e:
        cli.main(['digits', '-h'])
    assert e.value.code == 0 and '--method' in capsys.readouterr().out
