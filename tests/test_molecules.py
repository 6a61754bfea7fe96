"Cross-module tests for methodbook.molecules: groups, graphs, fingerprints, contrastive step, bad input, CLI."

import warnings
import numpy as np, pytest, torch
from hypothesis import given, settings, strategies as st
from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator
from torch_geometric.loader import DataLoader

torch.set_num_threads(1)

from methodbook.molecules.data import default_smiles, parse_smiles, mol_from_smiles, InvalidSmilesError, scaffold_split, murcko_scaffold
from methodbook.molecules.fingerprints import morgan_fingerprints, pack_bits, tanimoto_matrix, tanimoto_torch, tanimoto_topk
from methodbook.molecules.groups import functional_groups, ifg_groups
from methodbook.molecules.graph import featurize, mol_to_graph, to_hetero, RELATIONS
from methodbook.molecules.encoder import ContrastiveModel, EncoderConfig
from methodbook.molecules.contrastive import augment, contrastive_loss, contrastive_step, PretrainConfig


@pytest.fixture(scope='module')
def mols():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return parse_smiles(default_smiles()[::50]).mols  # 300 spread over both shipped files


HAND_CHECKED = {
    'CC(=O)Oc1ccccc1C(=O)O': {'fr_Ar_COO', 'fr_ester', 'fr_benzene'},  # aspirin
    'CC(=O)Nc1ccc(O)cc1': {'fr_amide', 'fr_phenol', 'chain.carbon'},  # paracetamol
    'c1ccncc1': {'fr_pyridine'},
    'CC#N': {'fr_nitrile', 'chain.carbon'},
    'C1CCCCC1': {'ring.aliphatic'},
    'CCCCCC': {'fr_unbrch_alkane'},
    'c1ccc2ccccc2c1': {'fr_benzene'},  # fused rings: one instance
}


@pytest.mark.parametrize('smi,expected', HAND_CHECKED.items())
def test_hand_checked_groups(smi, expected):
    assert set(functional_groups(smi).names) == expected


def test_aspirin_group_atoms():
    g = functional_groups('CC(=O)Oc1ccccc1C(=O)O')
    assert g.atoms[g.names.index('fr_Ar_COO')] == (10, 11, 12)
    assert g.atoms[g.names.index('fr_ester')] == (0, 1, 2, 3)


def test_every_atom_has_exactly_one_group(mols):
    for m in mols:
        for g in (functional_groups(m), ifg_groups(m)):
            assert (g.atom_group >= 0).all()
            assert sorted(a for ats in g.atoms for a in ats) == list(range(m.GetNumAtoms()))


def test_relation_counts_match_molecule(mols):
    for m in mols[:100]:
        d = mol_to_graph(m)
        counts = torch.bincount(d.edge_type, minlength=len(RELATIONS)).tolist()
        bt = [b.GetBondType() for b in m.GetBonds()]
        n_arom = sum(t == Chem.BondType.AROMATIC for t in bt)
        n_double = sum(t == Chem.BondType.DOUBLE for t in bt)
        n_triple = sum(t == Chem.BondType.TRIPLE for t in bt)
        assert counts[1:4] == [2 * n_double, 2 * n_triple, 2 * n_arom]
        assert counts[0] == 2 * (len(bt) - n_arom - n_double - n_triple)
        assert counts[4] == counts[5] == m.GetNumAtoms()
        h = to_hetero(d)
        assert h['atom'].num_nodes == m.GetNumAtoms() and h['group'].num_nodes == len(functional_groups(m))


def test_fingerprints_and_tanimoto_match_rdkit(mols):
    ms = mols[:60]
    gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=1024)
    rd = [gen.GetFingerprint(m) for m in ms]
    ref = np.array([DataStructs.BulkTanimotoSimilarity(f, rd) for f in rd])
    P = pack_bits(morgan_fingerprints(ms, radius=2, n_bits=1024))
    np.testing.assert_allclose(tanimoto_matrix(P, chunk=7), ref, atol=1e-6)
    np.testing.assert_allclose(tanimoto_torch(torch.from_numpy(P)).numpy(), ref, atol=1e-6)
    s, i = tanimoto_topk(P, P, k=3, block=16)
    np.testing.assert_allclose(s, -np.sort(-ref, 1)[:, :3], atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(0, 2**31 - 1))
def test_tanimoto_properties(n, m, seed):
    rng = np.random.default_rng(seed)
    a = pack_bits(rng.random((n, 128)) < rng.random())
    b = pack_bits(rng.random((m, 128)) < rng.random())
    T = tanimoto_matrix(a, b)
    assert T.shape == (n, m) and (T >= 0).all() and (T <= 1).all()
    np.testing.assert_allclose(T, tanimoto_matrix(b, a).T)


def test_contrastive_steps_lower_the_loss(mols):
    torch.manual_seed(0)
    graphs = featurize([Chem.MolToSmiles(m) for m in mols[:64]]).graphs
    batch = next(iter(DataLoader(graphs, batch_size=64)))
    model = ContrastiveModel(EncoderConfig(hidden=32, layers=2, dropout=0.0))
    step = contrastive_step(PretrainConfig(node_mask=0.0, bond_drop=0.0))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(15):
        loss, _ = step(model, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0] * 0.8, losses


def test_fingerprint_positives_are_used():
    z = torch.randn(4, 8)
    S = torch.eye(4)
    S[0, 1] = S[1, 0] = 0.95
    assert contrastive_loss(z, z, S, threshold=0.7)[1]['extra_pos'] == pytest.approx(0.5)  # 4 of 8 anchors (two molecules, two views) gain the other molecule
    assert contrastive_loss(z, z, S, threshold=1.1)[1]['extra_pos'] == 0


@pytest.mark.parametrize(
    'bad,reason', [('C1CC', 'unclosed ring'), ('', 'empty'), ('   ', 'empty'), ('c1cccc1', 'kekulize'), ('C(C)(C)(C)(C)C', 'valence'), ('Xx', 'syntax')]
)
def test_invalid_smiles_report_index_string_reason(bad, reason):
    with pytest.raises(InvalidSmilesError) as e:
        featurize(['CCO', bad], on_error='raise')
    assert e.value.error.index == 1 and e.value.error.smiles == bad and reason in e.value.error.reason.lower()
    with pytest.warns(UserWarning, match='skipped 1 of 2'):
        f = featurize(['CCO', bad], on_error='skip')
    assert f.index == [0] and [x.index for x in f.errors] == [1]


def test_no_bonds_and_salts():
    d = mol_to_graph('C')
    assert d.n_atoms == 1 and d.num_nodes == 2 and (d.edge_type >= 4).all()
    salt = '[Na+].CC(=O)[O-]'
    assert mol_to_graph(salt).n_atoms == 5  # fragments kept by default
    assert mol_from_smiles(salt, largest_fragment=True).GetNumAtoms() == 4  # or the largest one only
    f = featurize([salt, '[Na+].[Cl-]'], largest_fragment=True)
    assert [g.n_atoms for g in f.graphs] == [4, 1]
    batch = next(iter(DataLoader(featurize(['C', '[Na+].[Cl-]', 'CCO']).graphs, batch_size=3)))
    assert ContrastiveModel(EncoderConfig(hidden=16, layers=1))(batch).shape == (3, 64)


def test_parallel_featurization_matches_serial(mols):
    sm = [Chem.MolToSmiles(m) for m in mols[:40]]
    a, b = featurize(sm, n_jobs=1), featurize(sm, n_jobs=2, chunk=8)
    assert a.index == b.index
    for x, y in zip(a.graphs, b.graphs):
        assert torch.equal(x.x, y.x) and torch.equal(x.edge_index, y.edge_index) and torch.equal(x.fp, y.fp)


def test_augment_keeps_group_links_and_drops_bond_pairs():
    b = next(iter(DataLoader(featurize(['CC(=O)Oc1ccccc1C(=O)O'] * 4).graphs, batch_size=4)))
    v = augment(b, node_mask=0.3, bond_drop=0.5, generator=torch.Generator().manual_seed(1))
    assert (v.edge_type >= 4).sum() == (b.edge_type >= 4).sum()
    ei = v.edge_index[:, v.edge_type < 4]
    fwd = set(map(tuple, ei.T.tolist()))
    assert all((j, i) in fwd for i, j in fwd)  # bonds leave in pairs


def test_scaffold_split_is_disjoint_and_seeded(mols):
    sm = [Chem.MolToSmiles(m) for m in mols]
    tr, va, te = scaffold_split(sm, seed=0)
    sc = [murcko_scaffold(s) for s in sm]
    assert not {sc[i] for i in tr} & {sc[i] for i in te}
    assert sorted(np.concatenate([tr, va, te]).tolist()) == list(range(len(sm)))
    assert np.array_equal(scaffold_split(sm, seed=0)[2], te)


def test_cli_groups(capsys):
    from methodbook.molecules.cli import main

    assert main(['groups', 'CC(=O)Oc1ccccc1C(=O)O']) == 0
    out = capsys.readouterr().out
    assert 'fr_ester' in out and 'fr_benzene' in out and 'fr_Ar_COO' in out
    assert main(['groups', 'C1CC']) == 2  # bad input: one error line on stderr, exit 2
