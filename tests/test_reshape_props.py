"Property tests for methodbook.reshape: random shapes, factorizations, layouts, tile counts and dtypes."

import math
import numpy as np
import torch
from hypothesis import given, settings, strategies as st, HealthCheck
from methodbook.reshape.layouts import ChunkLayout, BlockLayout, BlockCyclicLayout, PagedLayout, scatter, gather, check_pieces
from methodbook.reshape.memory import plan_reshape, execute, tile_memory, execute_inplace, inplace_staging
from methodbook.reshape.schedule import schedule, edge_colouring, check_colouring, owner_changes, messages

torch.set_num_threads(1)
SETTINGS = dict(
    deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)  # CI is deterministic; run with derandomize=False locally to explore
DTYPES = ['float32', 'float16', 'int64', 'uint8', 'float64']


def _factors(n):
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out + ([n] if n > 1 else [])


@st.composite
def shapes(draw, max_elements=240):
    "A shape of 0-4 dims with every dim >= 1."
    nd = draw(st.integers(0, 4))
    dims = []
    for _ in range(nd):
        dims.append(draw(st.integers(1, max(1, min(9, max_elements // max(1, math.prod(dims)))))))
    return tuple(dims)


@st.composite
def refactor(draw, shape):
    "A random other factorization of prod(shape), with random 1s inserted."
    fs = draw(st.permutations(_factors(math.prod(shape))))
    nd = draw(st.integers(1, 4))
    groups = [draw(st.integers(0, nd - 1)) for _ in fs]
    dims = [math.prod(f for f, g in zip(fs, groups) if g == i) for i in range(nd)]
    return tuple(dims)


@st.composite
def layouts(draw, shape, n_tiles, dtype):
    kind = draw(st.sampled_from(['chunk', 'chunk-ragged', 'block', 'block-ragged', 'cyclic', 'interleaved', 'sharded']))
    nd = max(len(shape), 1)
    n = math.prod(shape)
    dim = draw(st.integers(-nd, nd - 1))
    n_dim = (shape or (1,))[dim]

    def ragged(total):
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=n_tiles - 1, max_size=n_tiles - 1)))
        return np.diff([0] + cuts + [total])

    if kind == 'chunk':
        return ChunkLayout(shape, n_tiles, dtype)
    if kind == 'chunk-ragged':
        return ChunkLayout(shape, n_tiles, dtype, sizes=ragged(n))
    if kind == 'block':
        return BlockLayout(shape, n_tiles, dtype, dim=dim)
    if kind == 'block-ragged':
        return BlockLayout(shape, n_tiles, dtype, dim=dim, sizes=ragged(n_dim))
    if kind == 'cyclic':
        return BlockCyclicLayout(shape, n_tiles, dtype, dim=dim, block=draw(st.integers(1, 3)))
    page = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    return PagedLayout(shape, n_tiles, dtype, page=page, assign=kind)


@st.composite
def reshapes(draw):
    shape = draw(shapes())
    new = draw(refactor(shape))
    T, dtype = draw(st.integers(1, 7)), draw(st.sampled_from(DTYPES))
    return draw(layouts(shape, T, dtype)), draw(layouts(new, T, dtype))


def _sentinel(dtype):
    return np.nan if np.dtype(dtype).kind == 'f' else np.iinfo(np.dtype(dtype)).max


@settings(max_examples=300, **SETTINGS)
@given(reshapes(), st.sampled_from(['out', 'inplace']))
def test_execute_equals_torch_reshape_and_padding_never_leaks(pair, mode):
    src, dst = pair
    x = torch.arange(src.size).reshape(src.shape).to(torch.float64 if src.dtype.kind == 'f' else torch.int64)
    x = x.numpy().astype(src.dtype)
    p = plan_reshape(src, dst, mode=mode)
    bad, fill = _sentinel(src.dtype), np.array(7, dtype=src.dtype)
    out = execute(p, scatter(x, src, fill=bad), fill=fill)
    y = gather(out, dst)
    np.testing.assert_array_equal(y, torch.reshape(torch.from_numpy(x.astype(np.float64)), dst.shape).numpy().astype(src.dtype))
    flat = np.concatenate(out)
    data = np.zeros(len(flat), bool)
    t, o = dst.locate(np.arange(dst.size))
    base = np.concatenate([[0], np.cumsum(dst.tile_sizes)])
    data[base[t] + o] = True
    assert (flat[~data] == fill).all(), "padding must hold the fill value"
    if np.dtype(src.dtype).kind == 'f':
        assert not np.isnan(flat).any(), "stale input padding leaked"


@settings(max_examples=250, **SETTINGS)
@given(reshapes())
def test_moved_equals_lower_bound_and_descriptors_are_minimal(pair):
    src, dst = pair
    p = plan_reshape(src, dst)
    ts, _ = src.locate(np.arange(src.size))
    td, _ = dst.locate(np.arange(dst.size))
    changes = int((ts != td).sum())
    assert p.remote.elements == changes == owner_changes(src, dst)
    assert p.remote.elements + p.local.elements + p.kept.elements == src.size
    ref = plan_reshape(src, dst, method='elements')
    for a, b in [(p.remote, ref.remote), (p.local, ref.local), (p.kept, ref.kept)]:
        np.testing.assert_array_equal(a.to_array(), b.to_array())
    check_pieces(src)
    check_pieces(dst)
    # every descriptor is maximal: no two can be chained in the sender's buffer order
    r = p.remote
    if len(r) > 1:
        nxt = (
            (r.src_tile[1:] == r.src_tile[:-1])
            & (r.dst_tile[1:] == r.dst_tile[:-1])
            & (r.src_offset[1:] == r.src_offset[:-1] + r.length[:-1])
            & (r.dst_offset[1:] == r.dst_offset[:-1] + r.length[:-1])
        )
        assert not nxt.any()
    assert p.is_view == (p.remote.elements == 0 and p.local.elements == 0 and np.array_equal(src.tile_sizes, dst.tile_sizes))


@settings(max_examples=150, **SETTINGS)
@given(reshapes())
def test_rounds_equal_max_degree_and_memory_bounds(pair):
    src, dst = pair
    p = plan_reshape(src, dst)
    s = schedule(p)
    check_colouring(s.messages.src_tile, s.messages.dst_tile, s.round) if len(s.messages) else None
    assert s.n_rounds == s.messages.max_degree()
    g = schedule(p, 'greedy')
    if len(g.messages):
        check_colouring(g.messages.src_tile, g.messages.dst_tile, g.round)
        assert s.n_rounds <= g.n_rounds <= max(2 * s.messages.max_degree() - 1, 0)
    out, inp = tile_memory(p, 'out'), tile_memory(p, 'inplace')
    assert (inp['peak'] <= out['peak']).all()
    assert (inp['staging'] <= np.minimum(src.tile_bytes, dst.tile_bytes)).all()
    assert messages(p).elements.sum() == p.remote.elements
    # the round-by-round in-place run stages exactly what the interval count says, and is right
    x = np.arange(src.size).reshape(src.shape).astype(src.dtype)
    out, peak = execute_inplace(p, scatter(x, src, fill=1), fill=0, sched=s)
    np.testing.assert_array_equal(peak, inplace_staging(p, s))
    np.testing.assert_array_equal(gather(out, dst), x.reshape(dst.shape))


@settings(max_examples=100, **SETTINGS)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=80))
def test_konig_colouring_uses_max_degree_colours_on_multigraphs(edges):
    u, v = np.array(edges).T
    c = edge_colouring(u, v)
    check_colouring(u, v, c)
    assert c.max() + 1 == max(np.bincount(u).max(), np.bincount(v).max())
