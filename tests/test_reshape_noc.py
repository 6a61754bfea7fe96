"Property and own-data tests for methodbook.reshape.noc (network timing, bounds, contention-aware schedules) and the vectorised edge colouring."

import dataclasses, json
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from methodbook.reshape.layouts import make_layout, scatter, gather
from methodbook.reshape.memory import plan_reshape, execute, plan_stats
from methodbook.reshape.schedule import messages, edge_colouring, check_colouring, konig_euler, LOOP_EDGES
from methodbook.reshape.noc import NocSpec, NOC_PROFILES, get_noc, hops, link_loads, time_schedule, via_dram_ns, balanced_schedule, split_messages, _axis
from test_reshape_props import reshapes, SETTINGS

torch.set_num_threads(1)


def walk_loads(src, dst, w, noc):
    "Reference: follow each XY route one hop at a time."
    out = np.zeros((4, noc.height, noc.width))
    W, H = noc.width, noc.height
    for s, d, b in zip(src, dst, w):
        x, y, dx, dy = s % W, s // W, d % W, d // W
        sx = int(_axis(np.array(x), np.array(dx), W, noc.topology == 'torus'))
        for _ in range(abs(sx)):
            out[0 if sx > 0 else 1, y, x] += b
            x = (x + np.sign(sx)) % W
        sy = int(_axis(np.array(y), np.array(dy), H, noc.topology == 'torus'))
        for _ in range(abs(sy)):
            out[2 if sy > 0 else 3, y, x] += b
            y = (y + np.sign(sy)) % H
        assert (x, y) == (dx, dy)
    return out


@settings(max_examples=60, **SETTINGS)
@given(st.sampled_from(['mesh', 'torus']), st.integers(1, 7), st.integers(1, 7), st.data())
def test_link_loads_equal_hop_by_hop_walk(topo, W, H, data):
    noc = NocSpec(topology=topo, width=W, height=H)
    n = data.draw(st.integers(0, 40))
    s = np.array(data.draw(st.lists(st.integers(0, W * H - 1), min_size=n, max_size=n)), dtype=np.int64)
    d = np.array(data.draw(st.lists(st.integers(0, W * H - 1), min_size=n, max_size=n)), dtype=np.int64)
    w = np.arange(1, n + 1, dtype=float)
    np.testing.assert_allclose(link_loads(s, d, w, noc)[0], walk_loads(s, d, w, noc))
    np.testing.assert_allclose(link_loads(s, d, w, noc).sum(), (w * hops(s, d, noc)).sum())


@settings(max_examples=80, **SETTINGS)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=3000))
def test_konig_euler_is_exact_on_random_multigraphs(edges):
    u, v = np.array(edges).T
    c = konig_euler(u, v)
    check_colouring(u, v, c)
    assert c.max() + 1 == max(np.bincount(u).max(), np.bincount(v).max())


def test_konig_uses_the_vectorised_colouring_above_the_loop_size():
    T = 64
    u, v = np.nonzero(~np.eye(T, dtype=bool))
    assert len(u) > LOOP_EDGES
    c = edge_colouring(u, v)
    check_colouring(u, v, c)
    assert c.max() + 1 == T - 1
    np.testing.assert_array_equal(c, konig_euler(u, v))


@settings(max_examples=40, **SETTINGS)
@given(reshapes(), st.sampled_from(['ipu-mk2', 'wormhole-8x8', 'mesh-3x3']))
def test_bounds_hold_and_balanced_schedules_are_one_port_and_complete(pair, prof):
    src, dst = pair
    noc = NocSpec(name='mesh-3x3', topology='mesh', width=3, height=3, dram_tiles=[[0], [8]]) if prof == 'mesh-3x3' else get_noc(prof)
    p = plan_reshape(src, dst)
    k = time_schedule(p, noc)
    b_s = balanced_schedule(p, noc, max_moves=50, n_quanta=2)
    b = time_schedule(p, noc, b_s)
    assert k.bandwidth_bound_ns <= k.bound_ns + 1e-6 and k.bound_ns <= k.makespan_ns + 1e-6
    assert abs(b.bound_ns - k.bound_ns) < 1e-6 and b.bound_ns <= b.makespan_ns + 1e-6
    assert b.makespan_ns <= k.makespan_ns + 1e-6  # never slower than König
    m, c = messages(p), b_s.messages
    if len(c):
        check_colouring(c.src_tile, c.dst_tile, b_s.round)  # one-port, chunks of a pair in different rounds
    T = src.n_tiles
    np.testing.assert_array_equal(np.bincount(c.src_tile * T + c.dst_tile, c.elements, T * T), np.bincount(m.src_tile * T + m.dst_tile, m.elements, T * T))
    d = via_dram_ns(p, noc)['total_ns']
    assert (d == 0) == p.is_view


def test_chunks_keep_elements_and_add_at_most_one_descriptor_per_cut():
    src = make_layout('interleaved', (8, 128, 384), 64)
    p = plan_reshape(src, src.reshaped((8, 128, 3, 8, 16)))
    m = messages(p)
    k = np.arange(len(m)) % 5 + 1
    c = split_messages(m, k)
    assert c.elements.sum() == m.elements.sum() and len(c) == k.sum()
    assert (c.descriptors.sum() - m.descriptors.sum()) <= (k - 1).sum()


def test_rebalance_lowers_link_load_where_links_bind():
    wh = get_noc('wormhole-8x8')
    n = dataclasses.replace(wh, name='t4', width=4, height=4, dram_tiles=[[0], [15]], sources={})
    src = make_layout('cyclic:0:4', (256, 96), 16)
    p = plan_reshape(src, src.reshaped((96, 256)))
    k, b = time_schedule(p, n), time_schedule(p, n, balanced_schedule(p, n))
    assert b.makespan_ns < k.makespan_ns and b.max_link_bytes.max() < k.max_link_bytes.max()


def test_plans_still_equal_torch_reshape_and_bytes_equal_the_bound():
    for s, d, lay, T in [((64, 96, 96), (64, 9216), 'interleaved', 16), ((256, 96), (96, 256), 'cyclic:0:4', 16)]:
        src = make_layout(lay, s, T)
        dst = src.reshaped(d)
        p = plan_reshape(src, dst)
        x = torch.arange(src.size, dtype=torch.float32).reshape(s)
        np.testing.assert_array_equal(gather(execute(p, scatter(x.numpy(), src, fill=np.nan)), dst), torch.reshape(x, d).numpy())
        st_ = plan_stats(p)
        assert st_.remote_elements == st_.lower_bound_elements


@pytest.mark.parametrize('ext', ['json', 'yaml', 'yml'])
def test_own_profile_file_round_trips_and_times_a_plan(tmp_path, ext):
    "A user's own network, written by hand: a 6x4 torus with two DRAM channels, every value labelled."
    d = dict(
        name='my-chip',
        topology='torus',
        width=6,
        height=4,
        link_GBps=16,
        hop_ns=2,
        descriptor_ns=20,
        inject_GBps=16,
        eject_GBps=16,
        sync_ns=100,
        dram_GBps=25,
        dram_tiles=[[0, 6], [17, 23]],
        sources={
            f: 'assumed: test'
            for f in ('topology', 'width', 'height', 'link_GBps', 'hop_ns', 'descriptor_ns', 'inject_GBps', 'eject_GBps', 'sync_ns', 'dram_GBps', 'dram_tiles')
        },
    )
    p_ = tmp_path / f'chip.{ext}'
    if ext == 'json':
        p_.write_text(json.dumps(d))
    else:
        import yaml

        p_.write_text(yaml.safe_dump(d))
    noc = get_noc(p_)
    assert noc.unlabelled() == [] and noc.n_channels == 2
    src = make_layout('interleaved', (48, 64), 24)
    p = plan_reshape(src, src.reshaped((64, 48)))
    rt = time_schedule(p, p_)
    assert 0 < rt.bound_ns <= rt.makespan_ns and via_dram_ns(p, noc)['total_ns'] > 0


def test_builtin_profiles_label_every_value():
    for name in NOC_PROFILES:
        n = get_noc(name)
        assert n.unlabelled() == []
        assert all(v.split(':')[0] in ('published', 'derived', 'assumed') for v in n.sources.values())
