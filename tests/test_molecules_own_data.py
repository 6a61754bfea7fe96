"""The molecules method on files a user brings: CSV/TSV/.smi layouts, the CLI's featurize/pretrain/embed/evaluate on them,
and the encoder's save/load round trip. Every file is written by the test itself."""

import csv, gzip, json, warnings
import numpy as np, pytest, torch

torch.set_num_threads(1)

from methodbook import cli
from methodbook.molecules.data import read_molecules, default_smiles, parse_smiles
from methodbook.molecules.graph import load_graphs
from methodbook.molecules.encoder import MolEncoder
from methodbook.molecules.downstream import embed_smiles, task_from_file

SMILES = ['CCO', 'c1ccccc1O', 'CC(=O)Oc1ccccc1C(=O)O', 'CCN(CC)CC', 'OC(=O)CCc1ccccc1', 'c1ccncc1']


@pytest.fixture(scope='module')
def many():
    "120 valid shipped molecules with RDKit's Crippen logP as a stand-in property."
    from rdkit import Chem
    from rdkit.Chem import Descriptors

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ms = parse_smiles(default_smiles()[6000:6120]).mols
    return [Chem.MolToSmiles(m) for m in ms], [round(Descriptors.MolLogP(m), 3) for m in ms]


LAYOUTS = {  # file name, text, expected SMILES column, expected SMILES
    'id_smiles_logp.csv': ('id,smiles,logp\na,CCO,0.1\nb,c1ccccc1O,1.5\n', 'smiles', ['CCO', 'c1ccccc1O']),
    'smiles_last.csv': ('name,pIC50,SMILES\nx,5.1,CCN\ny,6.0,c1ccncc1\n', 'SMILES', ['CCN', 'c1ccncc1']),
    'headerless.csv': ('"a,1",CCO,1\n"b,2",CCN,0\n"c,3",c1ccccc1,1\n', 'column 1', ['CCO', 'CCN', 'c1ccccc1']),
    'unnamed.csv': ('compound,structure_string,value\nx,CCO,1\ny,CCN,2\nz,c1ccccc1,3\n', 'structure_string', ['CCO', 'CCN', 'c1ccccc1']),
    'semicolon.csv': ('id;smiles;y\n1;CCO;0\n2;CCN;1\n', 'smiles', ['CCO', 'CCN']),
    'tabs.tsv': ('Molecule ID\tCanonical SMILES\tclass\nA\tCCO\tyes\nB\tCCN\tno\n', 'Canonical SMILES', ['CCO', 'CCN']),
    'bom.csv': ('\ufeffSMILES,y\nCCO,1\n', 'SMILES', ['CCO']),
    'crlf.csv': ('smiles,y\r\nCCO,1\r\nCCN,2\r\n', 'smiles', ['CCO', 'CCN']),
    'plain.smi': ('# from a vendor\nCCO ethanol\n\nc1ccccc1\tbenzene\n', 'smiles', ['CCO', 'c1ccccc1']),
    'header.smi': ('SMILES Name\nCCO ethanol\n', 'smiles', ['CCO']),
    'commas.smi': ('smiles,name\nCCO,ethanol\n', 'smiles', ['CCO']),
    'list.txt': ('CCO\nCCN\n', 'smiles', ['CCO', 'CCN']),
}


@pytest.mark.parametrize('name', LAYOUTS)
def test_reader_finds_the_smiles_column(name, tmp_path):
    text, col, expected = LAYOUTS[name]
    (tmp_path / name).write_bytes(text.encode())
    t = read_molecules(tmp_path / name)
    assert (t.smiles_col, t.smiles) == (col, expected), t.describe()
    assert col in t.describe()


def test_gzipped_csv_and_explicit_columns(tmp_path):
    with gzip.open(tmp_path / 'm.csv.gz', 'wt') as f:
        f.write('id,smiles,logp\na,CCO,0.1\nb,CCN,0.2\n')
    t = read_molecules(tmp_path / 'm.csv.gz', smiles_col=1, label_col='LOGP', id_col='id')
    assert (t.smiles, t.labels, t.ids, t.lines) == (['CCO', 'CCN'], ['0.1', '0.2'], ['a', 'b'], [2, 3])


def test_cli_featurize_reads_the_smiles_column_of_id_smiles_logp(tmp_path, capsys):
    "The layout that used to give 0 graphs and exit 0."
    p = tmp_path / 'mine.csv'
    p.write_text('id,smiles,logp\n' + ''.join(f'm{i},{s},{i}\n' for i, s in enumerate(SMILES)))
    assert cli.main(['molecules', 'featurize', str(p), '--label-col', 'logp', '--n-jobs', '1', '--out', str(tmp_path / 'g.pt')]) == 0
    out = capsys.readouterr().out
    assert "SMILES from 'smiles' (found by its header)" in out and f'{len(SMILES)} graphs from {len(SMILES)} SMILES' in out
    g = load_graphs(tmp_path / 'g.pt')
    assert len(g) == len(SMILES) and [float(x.y) for x in g.graphs] == list(range(len(SMILES)))


def test_cli_pretrain_embed_evaluate_on_own_file(tmp_path, capsys, many):
    sm, logp = many
    p = tmp_path / 'own.csv'
    rows = [f'mol{i},{s},{v}' for i, (s, v) in enumerate(zip(sm, logp))]
    rows[3] = 'mol3,C1CC=O,1.0'  # one broken SMILES
    p.write_text('id,smiles,logp\n' + '\n'.join(rows) + '\n')
    run = tmp_path / 'run'
    assert (
        cli.main(['molecules', 'pretrain', str(p), '--out', str(run), '--steps', '3', '--batch-size', '32', '--hidden', '16', '--layers', '1', '--n-jobs', '1'])
        == 0
    )
    out = capsys.readouterr().out
    assert "line 5 of 'own.csv'" in out and (run / 'encoder' / 'methodbook.json').exists()
    enc = MolEncoder.load(run / 'encoder')
    assert enc.cfg.hidden == 16 and enc.featurization['groups'] is True
    # embeddings: a .csv keeps the input row of each line; they equal the API's, in input order
    assert cli.main(['molecules', 'embed', str(p), '--model', str(run), '--out', str(tmp_path / 'emb.csv')]) == 0
    capsys.readouterr()
    table = list(csv.reader(open(tmp_path / 'emb.csv')))
    assert table[0][:4] == ['row', 'line', 'id', 'smiles'] and len(table) - 1 == len(rows) - 1
    assert [int(r[0]) for r in table[1:]] == [i for i in range(len(rows)) if i != 3]
    X = np.array([r[4:] for r in table[1:]], float)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        Xa, f = embed_smiles(enc, read_molecules(p))
    np.testing.assert_allclose(X, Xa, rtol=1e-4, atol=1e-5)
    from sklearn.linear_model import Ridge

    Ridge().fit(X, [float(r[3] != '') for r in table[1:]])  # scikit-learn takes it as is
    # a user regression task, inferred; the rows go to a JSON file
    assert (
        cli.main(
            [
                'molecules',
                'evaluate',
                '--model',
                str(run / 'encoder'),
                '--data',
                str(p),
                '--label-col',
                'logp',
                '--seeds',
                '1',
                '--ft-steps',
                '0',
                '--rf-trees',
                '20',
                '--out',
                str(tmp_path / 'rows.json'),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "regression; metric RMSE, scaffold split" in out and '| ECFP4 + RF | RMSE |' in out and 'pretrained / probe' in out
    res = json.loads((tmp_path / 'rows.json').read_text())
    assert {r['method'] for r in res} == {'ECFP4 + RF', 'pretrained / probe', 'scratch / probe'} and all(np.isfinite(r['metric']) for r in res)


def test_cli_evaluate_infers_classification_from_two_labels(tmp_path, capsys, many):
    sm, logp = many
    p = tmp_path / 'cls.tsv'
    p.write_text('SMILES\tactivity\n' + ''.join(f"{s}\t{'active' if v > 2.5 else 'inactive'}\n" for s, v in zip(sm, logp)))
    assert cli.main(['molecules', 'evaluate', '--data', str(p), '--seeds', '1', '--ft-steps', '0', '--rf-trees', '20', '--split', 'random']) == 0
    out = capsys.readouterr().out
    assert "classification, classes 'inactive' = 0, 'active' = 1" in out and '| ROC-AUC |' in out
    t = task_from_file(p)
    assert t.kind == 'classification' and set(t.y) == {0.0, 1.0}


def test_cli_embed_npy_in_input_order(tmp_path, capsys):
    enc = MolEncoder(hidden=8, layers=1)
    enc.save(tmp_path / 'enc')
    (tmp_path / 'm.smi').write_text('\n'.join(f'{s} n{i}' for i, s in enumerate(SMILES)) + '\n')
    assert cli.main(['molecules', 'embed', str(tmp_path / 'm.smi'), '--model', str(tmp_path / 'enc'), '--out', str(tmp_path / 'e.npy')]) == 0
    X = np.load(tmp_path / 'e.npy')
    assert X.shape == (len(SMILES), 8) and X.dtype == np.float32
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        Xa, _ = embed_smiles(MolEncoder.load(tmp_path / 'enc'), SMILES)
    np.testing.assert_allclose(X, Xa, rtol=1e-5, atol=1e-6)


def test_encoder_save_load_round_trip(tmp_path):
    torch.manual_seed(0)
    enc = MolEncoder(hidden=16, layers=2, readout='attention').eval()
    enc.featurization['groups'] = False
    enc.save(tmp_path / 'e')
    enc2 = MolEncoder.load(tmp_path / 'e')
    assert enc2.featurization['groups'] is False and enc2.cfg == enc.cfg
    g = enc2.featurize(SMILES).graphs
    assert all(int((x.node_type == 1).sum()) == 0 for x in g)  # atom-only, as saved
    from torch_geometric.loader import DataLoader

    b = next(iter(DataLoader(g, batch_size=len(g))))
    assert torch.equal(enc(b), enc2(b))


def test_sdf_file_with_a_label_property_and_a_broken_record(tmp_path, capsys):
    from rdkit import Chem

    recs = [Chem.MolToMolBlock(Chem.MolFromSmiles(s)) + f'>  <logS>\n{v}\n\n$$$$\n' for s, v in zip(SMILES, [0.1, -1.0, -2.0, 0.5, -0.3, 0.9])]
    recs.insert(2, 'broken\n  nothing here\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\n    0.0 0.0 0.0 Xx  0  0\nM  END\n$$$$\n')
    (tmp_path / 'sol.sdf').write_text(''.join(recs))
    with pytest.warns(UserWarning, match=r"1 of 7 SDF records could not be parsed and are left out; first: the record at line \d+"):
        t = read_molecules(tmp_path / 'sol.sdf', label_col='logS')
    assert t.smiles == [Chem.MolToSmiles(Chem.MolFromSmiles(s)) for s in SMILES] and t.labels[:2] == ['0.1', '-1.0']
    assert cli.main(['molecules', 'featurize', str(tmp_path / 'sol.sdf'), '--label-col', 'logS', '--n-jobs', '1']) == 0
    assert f'{len(SMILES)} graphs' in capsys.readouterr().out
