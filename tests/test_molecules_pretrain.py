"""Pretraining at scale: near-neighbour batches make fingerprint positives occur, subgraph removal, on-disk shards
(parallel = serial, resumable, batches identical to PyG's), pretraining streamed from shards (resumes exactly),
the MOSES/GPU scripts' smoke paths, and the shipped encoder through `methodbook molecules embed`."""

import json, subprocess, sys, warnings
from pathlib import Path
import numpy as np, pytest, torch

torch.set_num_threads(1)

from torch_geometric.data import Batch
from torch_geometric.loader import DataLoader
from methodbook.train import TrainConfig
from methodbook.molecules.data import default_smiles
from methodbook.molecules.graph import featurize, mol_to_graph
from methodbook.molecules.fingerprints import neighbour_table, tanimoto_matrix, tanimoto_torch
from methodbook.molecules.groups import functional_groups, rdkit_vocab, _assign
from methodbook.molecules.encoder import EncoderConfig
from methodbook.molecules.contrastive import (
    MoleculePretrainConfig,
    PretrainConfig,
    NeighbourBatchSampler,
    neighbour_groups,
    augment,
    removed_subgraph,
    contrastive_loss,
    _neighbour_pools,
)
from methodbook.molecules.shards import featurize_shards, GraphShards, pretrain_shards

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope='module')
def graphs():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return featurize(default_smiles()[:1024]).graphs


@pytest.fixture(scope='module')
def shards(tmp_path_factory):
    d = tmp_path_factory.mktemp('shards') / 's'
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        featurize_shards(default_smiles()[:600] + ['C1CC'], d, shard_size=256, neighbours=8)
    return d


def _extra_pos(graphs, group_size, nearest, batch_size=128, threshold=0.7, seed=0):
    "Mean fingerprint positives per anchor over one epoch of batches (no model: identical views)."
    s = NeighbourBatchSampler(_neighbour_pools(graphs, group_size), batch_size, group_size, seed)
    vals = []
    for idx in s:
        fp = torch.cat([graphs[i].fp for i in idx])
        z = torch.randn(len(idx), 8)
        vals.append(contrastive_loss(z, z, tanimoto_torch(fp), threshold=threshold, nearest=nearest)[1]['extra_pos'])
    return float(np.mean(vals))


def test_neighbour_batches_make_positives_occur(graphs):
    random = _extra_pos(graphs, group_size=1, nearest=0)
    grouped = _extra_pos(graphs, group_size=4, nearest=0)
    full = _extra_pos(graphs, group_size=4, nearest=2)
    assert random < 0.1  # the diagnosis: fingerprint positives are rare in random batches
    assert grouped > 2 * random  # near-neighbour batches raise the threshold positives alone
    assert full >= 1.0  # the goal: at least one extra positive per anchor


def test_neighbour_groups_hold_nearest_neighbours(graphs):
    fp = torch.cat([g.fp for g in graphs[:300]])
    nbr, sim = neighbour_table(fp, k=6)
    S = tanimoto_matrix(fp.numpy())
    np.fill_diagonal(S, -1)
    np.testing.assert_allclose(sim[:, 0].astype(float), S.max(1), atol=2e-3)  # the table is the exact top-1
    order = neighbour_groups(nbr, 4, np.random.default_rng(0))
    assert sorted(order.tolist()) == list(range(300))
    in_group = np.mean([S[order[i], order[i + 1]] for i in range(0, 296, 4)])
    assert in_group > 2 * S[S >= 0].mean()  # group-mates are far more similar than random pairs


def test_sampler_is_a_deterministic_cover_per_epoch():
    nbr = np.random.default_rng(0).integers(0, 50, (50, 5))
    s = NeighbourBatchSampler([(0, 50, nbr), (50, 30, lambda: nbr[:30] % 30)], batch_size=8, group_size=4, seed=3)
    a = list(s)
    assert sorted(sum(a, [])) == list(range(80)) and len(a) == len(s) == 6 + 3
    s.set_epoch(1)
    b = list(s)
    s.set_epoch(0)
    assert list(s) == a and b != a


def test_removed_subgraph_is_connected_and_sized(graphs):
    b = next(iter(DataLoader(graphs[:32], batch_size=32)))
    m = removed_subgraph(b, 0.25, torch.Generator().manual_seed(0))
    assert not m[b.node_type == 1].any()
    for g in range(32):
        atoms = ((b.batch == g) & (b.node_type == 0)).nonzero().squeeze(1)
        sel = set(atoms[m[atoms]].tolist())
        n = len(atoms)
        assert len(sel) <= int(np.ceil(0.25 * n)) and len(sel) >= 1
        ei = b.edge_index[:, b.edge_type < 4].t().tolist()  # connected through bonds
        seen, todo = set(), [min(sel)]
        while todo:
            u = todo.pop()
            seen.add(u)
            todo += [v for x, v in ei if x == u and v in sel and v not in seen]
        assert seen == sel
    v = augment(b, 0.0, 0.0, 0.25, torch.Generator().manual_seed(0))
    gone = (v.x != b.x).any(1)
    assert gone.any() and not (v.edge_index[:, v.edge_type < 4] == gone.nonzero()[:1]).any()  # a removed atom keeps no bond


def test_nearest_positives_need_the_floor_and_are_off_for_plain():
    z = torch.randn(4, 8)
    S = torch.eye(4)
    S[0, 1] = S[1, 0] = 0.5
    S[2, 3] = S[3, 2] = 0.1
    assert contrastive_loss(z, z, S, threshold=0.7, nearest=1, min_sim=0.3)[1]['extra_pos'] == pytest.approx(0.5)  # the 0.1 pair stays negative
    assert contrastive_loss(z, z, S, threshold=1.1, nearest=1)[1]['extra_pos'] == 0  # threshold > 1: plain NT-Xent
    assert PretrainConfig is MoleculePretrainConfig  # the old name still works


def test_shard_batches_equal_pyg_batches(shards):
    ds = GraphShards(shards)
    sm = default_smiles()[:600]
    assert len(ds) == 600 and ds.man['n_errors'] == 1
    idx = [3, 10, 250]
    ref = Batch.from_data_list([mol_to_graph(sm[i]) for i in idx])
    b = ds.__getitems__(idx)
    for k in ('x', 'node_type', 'edge_index', 'edge_type', 'fp', 'batch'):
        assert torch.equal(getattr(b, k), getattr(ref, k)), k
    a = GraphShards(shards, groups=False).__getitems__(idx)
    ref = Batch.from_data_list([mol_to_graph(sm[i], groups=False) for i in idx])
    for k in ('x', 'edge_index', 'edge_type'):
        assert torch.equal(getattr(a, k), getattr(ref, k)), k


def test_shards_parallel_equal_serial_and_resume(shards, tmp_path):
    sm = default_smiles()[:600] + ['C1CC']
    man = featurize_shards(sm, tmp_path / 'p', shard_size=256, neighbours=8, n_jobs=2)
    for k in range(man['n_shards']):
        with np.load(shards / f'shard_{k:05d}.npz') as a, np.load(tmp_path / 'p' / f'shard_{k:05d}.npz') as b:
            for key in ('x', 'edge_index', 'edge_type', 'fp', 'index', 'nbr'):
                np.testing.assert_array_equal(a[key], b[key])
    p1 = tmp_path / 'p' / 'shard_00001.npz'
    p1.unlink()
    before = (tmp_path / 'p' / 'shard_00000.npz').stat().st_mtime_ns
    featurize_shards(sm, tmp_path / 'p', shard_size=256, neighbours=8)
    assert p1.exists() and (tmp_path / 'p' / 'shard_00000.npz').stat().st_mtime_ns == before  # only the missing shard was written


def test_pretrain_from_shards_resumes_exactly(shards, tmp_path):
    cfg, enc = MoleculePretrainConfig(batch_size=64), EncoderConfig(hidden=16, layers=2)
    full = pretrain_shards(shards, cfg, enc, TrainConfig(max_steps=6, progress=False), run_dir=tmp_path / 'a')
    pretrain_shards(shards, cfg, enc, TrainConfig(max_steps=6, ckpt_every=3, progress=False), run_dir=tmp_path / 'b')  # same run, checkpointed
    (tmp_path / 'b' / 'checkpoints' / 'step_0000006.pt').unlink()
    res = pretrain_shards(shards, cfg, enc, TrainConfig(max_steps=6, ckpt_every=3, progress=False), run_dir=tmp_path / 'b', resume=True)
    assert [h['loss'] for h in res.history] == pytest.approx([h['loss'] for h in full.history], rel=1e-5)
    assert np.mean([h['extra_pos'] for h in full.history]) >= 1.0
    assert res.model.encoder.featurization['groups'] is True


def test_gating_and_screens_change_no_groups():
    "The element screen (recursive SMARTS included) and the hierarchy gating give the groups of trying every pattern."
    from rdkit import Chem

    V = rdkit_vocab()
    sm = [s for s in default_smiles()[5000:5400] if Chem.MolFromSmiles(s) is not None]
    sm += ['OP(=O)(O)OCC', 'OB(O)c1ccccc1', 'CCN=[N+]=[N-]', 'ClCC(Cl)Cl', 'C#CCO', 'C[N+](C)(C)C']
    for s in sm:
        m = Chem.MolFromSmiles(s)
        g = functional_groups(m)
        brute = _assign(m, [(p.name, x) for p in V.patterns for x in m.GetSubstructMatches(p.query)], V)
        assert brute.names == g.names and (brute.atom_group == g.atom_group).all(), s


def test_pretrain_script_smoke(tmp_path):
    r = subprocess.run(
        [sys.executable, str(ROOT / 'benchmarks' / 'molecules_gpu.py'), '--smoke', '--arms', 'full,plain', '--root', str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{')]
    assert {x['event'] for x in rows} >= {'start', 'featurized', 'pretrain', 'arm done'}
    assert (tmp_path / 'runs' / 'full' / 'encoder' / 'model.safetensors').exists() and (tmp_path / 'runs' / 'plain' / 'encoder' / 'model.safetensors').exists()


def test_pretrain_script_max_minutes_stops_at_a_checkpoint_and_resumes(tmp_path):
    "--max-minutes ends the job right after a checkpoint (the next arm is not started); the same command then finishes."
    cmd = [sys.executable, str(ROOT / 'benchmarks' / 'molecules_pretrain.py'), '--smoke', '--arms', 'plain,groups', '--root', str(tmp_path)]
    r = subprocess.run(cmd + ['--max-minutes', '1e-9'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{')]
    stop = [x for x in rows if x['event'] == 'chunk stopped']
    assert len(stop) == 1 and stop[0]['arm'] == 'plain' and stop[0]['step'] == 2, rows
    assert sorted(p.name for p in (tmp_path / 'runs' / 'plain' / 'checkpoints').glob('*.pt')) == ['step_0000002.pt']
    assert not (tmp_path / 'runs' / 'groups').exists()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    done = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{') and '"arm done"' in l]
    assert [x['arm'] for x in done] == ['plain', 'groups']
    assert sorted(p.name for p in (tmp_path / 'runs' / 'plain' / 'checkpoints').glob('*.pt'))[-1] == 'step_0000004.pt'


# ---- the shipped encoder ------------------------------------------------------------------------------------------
def _cli(argv, capsys):
    from methodbook import cli

    try:
        rc = cli.main(['molecules'] + argv)
    except SystemExit as e:
        rc = e.code
    out, err = capsys.readouterr()
    return rc, out, err


def test_shipped_encoder_is_small_and_loads():
    from methodbook.molecules.cli import pretrained_path
    from methodbook.molecules.encoder import MolEncoder

    d = pretrained_path()
    assert (d / 'model.safetensors').stat().st_size < 2 * 2**20 and (d / 'README.md').exists()
    enc = MolEncoder.load(d)
    assert 64 <= enc.cfg.hidden <= 128 and enc.featurization['groups'] is True
    card = (d / 'README.md').read_text()
    assert 'MOSES' in card and 'molecules_downstream' in card  # the card names its data and where downstream numbers live


def test_embed_writes_a_default_csv_and_never_overwrites_it(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'my.smi').write_text('CCO ethanol\nc1ccccc1O phenol\n')
    rc, out, err = _cli(['embed', 'my.smi'], capsys)
    assert rc == 0, err
    assert 'my_embeddings.csv' in out and (tmp_path / 'my_embeddings.csv').exists()
    before = (tmp_path / 'my_embeddings.csv').read_bytes()
    rc, out, err = _cli(['embed', 'my.smi'], capsys)
    assert rc == 2 and 'already exists' in err and (tmp_path / 'my_embeddings.csv').read_bytes() == before


def test_embed_own_csv_with_the_shipped_encoder(tmp_path, capsys):
    from sklearn.linear_model import Ridge

    p = tmp_path / 'my.csv'
    p.write_text('compound,smiles,activity\nA1,CCO,0.1\nA2,c1ccccc1O,0.9\nA3,not-a-smiles,0.5\nA4,CC(=O)Oc1ccccc1C(=O)O,1.3\nA5,CCN(CC)CC,0.2\n')
    rc, out, err = _cli(['embed', str(p), '--smiles-col', 'smiles', '--out', str(tmp_path / 'emb.csv')], capsys)
    assert rc == 0, err
    assert "SMILES from 'smiles'" in out and 'the shipped encoder' in out and 'skipped 1 of 5' in out
    import csv

    rows = list(csv.reader(open(tmp_path / 'emb.csv')))
    assert rows[0][:4] == ['row', 'line', 'compound', 'smiles'] and [r[0] for r in rows[1:]] == ['0', '1', '3', '4']
    X = np.array([r[4:] for r in rows[1:]], float)
    assert X.shape[0] == 4 and 64 <= X.shape[1] <= 128 and np.isfinite(X).all() and X.std(0).max() > 0
    Ridge().fit(X, [0.1, 0.9, 1.3, 0.2])  # what scikit-learn takes
    rc, out, err = _cli(['embed', str(p), '--out', str(tmp_path / 'emb.npy'), '--on-error', 'raise'], capsys)
    assert rc == 2 and "line 4 of 'my.csv'" in err and not (tmp_path / 'emb.npy').exists()


@pytest.mark.parametrize(
    'argv,msg',
    [
        (['embed', '{d}/my.csv', '--out', '{d}/emb.parquet'], 'expected a .npy or .csv file name'),
        (['embed', '{d}/my.csv', '--out', '{d}/my.csv'], 'is the input file'),
        (['embed', '--out', '{d}/emb.csv'], 'give the SMILES file to embed'),
        (['embed', '{d}/missing.csv', '--out', '{d}/emb.csv'], 'does not exist'),
        (['embed', '{d}/my.csv', '--smiles-col', 'structure', '--out', '{d}/emb.csv'], "smiles_col 'structure' is not a column"),
        (['embed', '{d}/my.csv', '--model', '{d}/nomodel', '--out', '{d}/emb.csv'], 'does not exist'),
        (['embed', '{d}/my.csv', '--batch-size', '0', '--out', '{d}/emb.csv'], '--batch-size must be >= 1'),
        (['embed', '{d}/my.csv', '--out', '{d}/nofolder/emb.csv'], "--out: folder"),
    ],
)
def test_embed_bad_inputs_write_nothing(tmp_path, capsys, argv, msg):
    (tmp_path / 'my.csv').write_text('id,smiles\n1,CCO\n2,CCN\n')
    before = sorted(p.name for p in tmp_path.rglob('*'))
    rc, out, err = _cli([a.format(d=tmp_path) for a in argv], capsys)
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.rglob('*')) == before


def test_model_card_downstream_section_survives_and_is_rewritten(tmp_path):
    "Rerunning the ship script must not drop the measured Downstream table; the report rewrites only that section."
    sys.path.insert(0, str(Path(__file__).parents[1] / 'benchmarks'))
    from molecules_ship import get_section, set_section

    card = tmp_path / 'README.md'
    card.write_text('# card\n\n## Training\n\nsteps\n\n## Downstream\n\n| a | b |\n| 1 | 2 |\n\n## Limits\n\nnone\n')
    assert get_section(card.read_text(), 'Downstream') == '| a | b |\n| 1 | 2 |'
    set_section(card, 'Downstream', 'new table\n')
    assert card.read_text() == '# card\n\n## Training\n\nsteps\n\n## Downstream\n\nnew table\n\n## Limits\n\nnone\n'
    assert get_section(card.read_text(), 'Missing') is None
    with pytest.raises(SystemExit, match='no .## Missing. heading'):
        set_section(card, 'Missing', 'x')
    shipped = Path(__file__).parents[1] / 'methodbook' / 'molecules' / 'pretrained' / 'README.md'
    assert '| MoleculeACE RMSE' in get_section(shipped.read_text(), 'Downstream')


def test_ship_keeps_downstream_only_for_the_same_weights(tmp_path, capsys):
    "Copying the same encoder again keeps the card's measured section; other weights must not inherit its numbers."
    import shutil

    sys.path.insert(0, str(Path(__file__).parents[1] / 'benchmarks'))
    from molecules_ship import get_section, main as ship

    shipped = Path(__file__).parents[1] / 'methodbook' / 'molecules' / 'pretrained'
    run = tmp_path / 'runs' / 'full'
    shutil.copytree(shipped, run / 'encoder')
    out = tmp_path / 'pkg'
    shutil.copytree(shipped, out)
    (out / 'README.md').write_text('# card\n\n## Downstream\n\n| measured | 0.9 |\n\n## Limits\n\nnone\n')
    argv = ['--run', str(run), '--log', str(tmp_path / 'no.jsonl'), '--out', str(out)]
    ship(argv)
    assert get_section((out / 'README.md').read_text(), 'Downstream') == '| measured | 0.9 |'
    (out / 'model.safetensors').write_bytes(b'other weights')  # the package held a different encoder
    (out / 'README.md').write_text('# card\n\n## Downstream\n\n| measured | 0.9 |\n\n## Limits\n\nnone\n')
    ship(argv)
    assert get_section((out / 'README.md').read_text(), 'Downstream').startswith('Not yet evaluated for this checkpoint')
    assert (out / 'model.safetensors').read_bytes() == (shipped / 'model.safetensors').read_bytes()
