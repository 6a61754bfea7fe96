"""Bad input to methodbook.molecules, through the API and through `methodbook molecules ...`.

Each case asserts the error type (or exit code 2 with one error line on stderr), that the message names the offending
argument, file, line or index, and that nothing was written or overwritten.
"""

import os, pickle, re, subprocess, sys, warnings
from pathlib import Path
import numpy as np, pytest, torch

torch.set_num_threads(1)

from methodbook.core import BadInputError, BadTypeError, BadFileError, MissingFileError
from methodbook import cli
from methodbook.molecules.data import read_molecules, parse_smiles, scaffold_split, InvalidSmilesError
from methodbook.molecules.fingerprints import morgan_fingerprints, pack_bits, tanimoto_matrix, tanimoto_torch, tanimoto_topk
from methodbook.molecules.graph import featurize, load_graphs
from methodbook.molecules.encoder import MolEncoder, EncoderConfig
from methodbook.molecules.contrastive import PretrainConfig, contrastive_loss
from methodbook.molecules.downstream import Task, parse_labels

SMILES = ['CCO', 'c1ccccc1O', 'CC(=O)Oc1ccccc1C(=O)O', 'CCN(CC)CC', 'OC(=O)CCc1ccccc1', 'c1ccncc1', 'CC(C)Cc1ccc(cc1)C(C)C(=O)O', 'CCCCCC']


def _snapshot(d: Path) -> dict:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(Path(d).rglob('*')) if p.is_file()} if Path(d).exists() else {}


def _fp(n_bits):
    return pack_bits(morgan_fingerprints(SMILES[:3], n_bits=n_bits))


# ---- API ---------------------------------------------------------------------------------------------------------
API_CASES = [
    ('featurize a bare str', lambda: featurize('CCO'), BadTypeError, "got a single str 'CCO'; wrap one SMILES in a list"),
    ('fingerprints of a bare str', lambda: morgan_fingerprints('CCO'), TypeError, 'mols must be a list'),
    ('tanimoto of different widths', lambda: tanimoto_matrix(_fp(2048), _fp(64)), BadInputError, 'a has 256 bytes per row (2048 bits), b has 8 (64 bits)'),
    (
        'torch tanimoto of different widths',
        lambda: tanimoto_torch(torch.from_numpy(_fp(1024)), torch.from_numpy(_fp(2048))),
        BadInputError,
        'a has 1024 bits per row',
    ),
    ('tanimoto of unpacked float bits', lambda: tanimoto_matrix(morgan_fingerprints(SMILES[:2]).astype(float)), BadTypeError, 'uint8 from pack_bits'),
    ('top-k with k = 0', lambda: tanimoto_topk(_fp(64), _fp(64), k=0), BadInputError, 'k must be >= 1'),
    ('labels of the wrong length', lambda: featurize(SMILES[:3], y=[1.0, 2.0]), BadInputError, 'y has 2 labels but there are 3 molecules'),
    ('NaN labels', lambda: featurize(SMILES[:4], y=[1.0, np.nan, 2.0, np.inf]), BadInputError, '2 NaN or infinite value(s) in 2 of 4 rows (first rows [1, 3])'),
    ('an empty molecule list', lambda: featurize([]), BadInputError, 'smiles is empty'),
    ('a batch in which nothing parses', lambda: featurize(['C1CC', 'Xx']), BadInputError, "none of the 2 SMILES could be parsed; first: SMILES #0 'C1CC'"),
    ('an unknown on_error', lambda: parse_smiles(['CCO'], on_error='ignore'), BadInputError, "on_error must be one of 'skip', 'raise'"),
    ('temperature 0', lambda: PretrainConfig(temperature=0.0), BadInputError, 'PretrainConfig.temperature must be > 0'),
    ('a negative threshold', lambda: PretrainConfig(threshold=-0.5), BadInputError, 'PretrainConfig.threshold must be >= 0'),
    ('batch size 1', lambda: PretrainConfig(batch_size=1), BadInputError, 'PretrainConfig.batch_size must be >= 2'),
    ('a loss temperature < 0', lambda: contrastive_loss(torch.randn(4, 8), torch.randn(4, 8), temperature=-0.1), BadInputError, 'temperature must be > 0'),
    ('an encoder of width 0', lambda: EncoderConfig(hidden=0), BadInputError, 'EncoderConfig.hidden must be in [1, 16384]'),
    ('split fractions not summing to 1', lambda: scaffold_split(SMILES, frac=(0.8, 0.3, 0.1)), BadInputError, 'summing to 1'),
    ('a classification task with labels 0/2', lambda: Task('t', SMILES[:2], [0, 2], 'classification'), BadInputError, 'Task.y must be 0/1'),
    (
        'three classes asked to classify',
        lambda: parse_labels(['a', 'b', 'c'], 'classification', 'label column'),
        BadInputError,
        'label column has 3 distinct value(s)',
    ),
]


@pytest.mark.parametrize('what,f,exc,msg', API_CASES, ids=[c[0] for c in API_CASES])
def test_api_rejects(what, f, exc, msg):
    with pytest.raises(exc, match=re.escape(msg)):
        f()


def test_reader_names_file_line_and_column(tmp_path):
    p = tmp_path / 'mols.smi'
    p.write_text('# a comment\nCCO ethanol\n\tno-smiles-here\nc1ccccc1 benzene\n')
    t = read_molecules(p)
    assert t.smiles == ['CCO', '', 'c1ccccc1']  # the name is not taken as the SMILES
    with pytest.raises(InvalidSmilesError, match=re.escape("line 3 of 'mols.smi': SMILES '' could not be parsed (empty SMILES)")):
        parse_smiles(t, on_error='raise')
    (tmp_path / 'x.csv').write_text('id,smiles,logp\n1,CCO,0.1\n')
    with pytest.raises(BadInputError, match=re.escape("smiles_col 'SMI' is not a column of") + ".*" + re.escape("['id', 'smiles', 'logp']")):
        read_molecules(tmp_path / 'x.csv', smiles_col='SMI')
    (tmp_path / 'words.csv').write_text('name,colour\naspirin,white\ncaffeine,brown\n')
    with pytest.raises(BadInputError, match='no column of .*words.csv.* looks like SMILES'):
        read_molecules(tmp_path / 'words.csv')
    (tmp_path / 'bin.csv').write_bytes(b'\xff\xfe\x00smiles\n')
    with pytest.raises(BadFileError, match="bin.csv.* is not UTF-8"):
        read_molecules(tmp_path / 'bin.csv')
    with pytest.raises(MissingFileError, match='does not exist'):
        read_molecules(tmp_path / 'none.csv')


def test_saved_models_and_graphs_are_checked_and_never_unpickled(tmp_path):
    enc = MolEncoder(hidden=16, layers=1)
    enc.save(tmp_path / 'enc')
    (tmp_path / 'enc' / 'model.safetensors').write_bytes(b'\x00' * 10)  # truncated weights
    with pytest.raises(BadFileError, match='could not be read'):
        MolEncoder.load(tmp_path / 'enc')
    with pytest.raises(BadFileError, match='not a saved methodbook model'):
        MolEncoder.load(tmp_path)

    class Boom:
        def __reduce__(self):
            return (os.system, (f'touch {tmp_path}/pwned',))

    (tmp_path / 'graphs.pt').write_bytes(pickle.dumps({'format': 1, 'graphs': [Boom()]}))
    with pytest.raises(BadFileError, match='could not be read as saved graphs'):
        load_graphs(tmp_path / 'graphs.pt')
    assert not (tmp_path / 'pwned').exists()


# ---- CLI -----------------------------------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp('bad-mol')
    (d / 'good.csv').write_text('id,smiles,logp\n' + ''.join(f'm{i},{s},{i * 0.5}\n' for i, s in enumerate(SMILES)))
    (d / 'bad.csv').write_text('id,smiles,logp\nm1,C1CC,1.0\nm2,c1cccc1,2.0\nm3,C(C)(C)(C)(C)C,3.0\n')
    (d / 'three.csv').write_text('smiles,label\n' + ''.join(f'{s},{"abc"[i % 3]}\n' for i, s in enumerate(SMILES)))
    (d / 'onebad.csv').write_text('id,smiles\na,CCO\nb,C1CC\nc,CCN\n')
    enc = MolEncoder(hidden=16, layers=1)
    enc.save(d / 'enc')
    return d


def _cli(argv, capsys):
    rc = cli.main(['molecules'] + argv)
    out, err = capsys.readouterr()
    return rc, out, err


CLI_CASES = [
    ('no valid molecule', ['featurize', '{d}/bad.csv', '--out', '{o}/g.pt'], 'none of the 3 SMILES could be parsed; first: line 2 of \'bad.csv\''),
    ('an unknown SMILES column', ['featurize', '{d}/good.csv', '--smiles-col', 'structure', '--out', '{o}/g.pt'], "smiles_col 'structure' is not a column"),
    ('an output folder that does not exist', ['featurize', '{d}/good.csv', '--out', '{o}/missing/g.pt'], "--out: folder"),
    ('a graphs file that is not .pt', ['featurize', '{d}/good.csv', '--out', '{o}/g.pkl'], "expected a .pt file name"),
    ('the input given twice', ['featurize', '{d}/good.csv', '--data', '{d}/bad.csv'], 'give the input file once'),
    ('batch size 1', ['pretrain', '{d}/good.csv', '--out', '{o}/run', '--batch-size', '1'], 'PretrainConfig.batch_size must be >= 2'),
    ('a NaN threshold', ['pretrain', '{d}/good.csv', '--out', '{o}/run', '--threshold', 'nan'], 'PretrainConfig.threshold must be a finite number'),
    ('a zero temperature', ['pretrain', '{d}/good.csv', '--out', '{o}/run', '--temperature', '0'], 'PretrainConfig.temperature must be > 0'),
    ('a run folder that is a file', ['pretrain', '{d}/good.csv', '--out', '{d}/good.csv'], 'is a file; expected a folder'),
    (
        'three classes to classify',
        ['evaluate', '--data', '{d}/three.csv', '--task', 'classification', '--out', '{o}/rows.json'],
        "label column 'label' of 'three.csv' has 3 distinct value(s)",
    ),
    ('an unknown built-in task', ['evaluate', '--task', 'tox21', '--out', '{o}/rows.json'], "--task must be one of 'b3db', 'freesolv'"),
    (
        'a wrong kind for a user task',
        ['evaluate', '--data', '{d}/good.csv', '--task', 'b3db', '--out', '{o}/rows.json'],
        "--task (with --data) must be one of 'auto', 'classification', 'regression'",
    ),
    ('zero seeds', ['evaluate', '--data', '{d}/good.csv', '--seeds', '0', '--out', '{o}/rows.json'], '--seeds must be in [1, 100]'),
    (
        'a model file instead of a folder',
        ['evaluate', '--model', '{d}/good.csv', '--data', '{d}/good.csv', '--out', '{o}/rows.json'],
        'is a file; expected a folder saved by MolEncoder.save',
    ),
    ('an embeddings file of an unknown kind', ['embed', '{d}/good.csv', '--model', '{d}/enc', '--out', '{o}/emb.txt'], 'expected a .npy or .csv file name'),
    ('a folder that holds no model', ['embed', '{d}/good.csv', '--model', '{o}', '--out', '{o}/emb.npy'], 'is not a saved methodbook model'),
    (
        'a .npy with a row that failed',
        ['embed', '{d}/onebad.csv', '--model', '{d}/enc', '--out', '{o}/emb.npy'],
        "1 of 3 rows could not be parsed (first: line 3 of 'onebad.csv'",
    ),
    ('an invalid SMILES to groups', ['groups', 'CCO', 'C1CC'], "SMILES #1 'C1CC' could not be parsed (unclosed ring"),
    ('groups with an unknown vocabulary', ['groups', 'CCO', '--vocab', 'ecfp'], "--vocab must be one of 'rdkit', 'ifg'"),
]


@pytest.mark.parametrize('what,argv,msg', CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_rejects_with_one_line_and_writes_nothing(what, argv, msg, files, tmp_path, capsys):
    argv = [a.format(d=files, o=tmp_path) for a in argv]
    before, before_d = _snapshot(tmp_path), _snapshot(files)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        rc, out, err = _cli(argv, capsys)
    assert rc == 2, (rc, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f'methodbook molecules {argv[0]}: error: '), err
    assert msg in lines[0], lines[0]
    assert 'error' not in out.lower(), out  # errors never go to stdout
    assert _snapshot(tmp_path) == before and _snapshot(files) == before_d  # nothing written or overwritten


def test_pretrain_refuses_an_existing_run_before_featurizing(files, tmp_path, capsys):
    run = tmp_path / 'run'
    run.mkdir()
    (run / 'metrics.jsonl').write_text('{"step": 1, "loss": 1.0}\n')
    before = _snapshot(run)
    rc, out, err = _cli(['pretrain', str(files / 'good.csv'), '--out', str(run), '--steps', '2'], capsys)
    assert rc == 2 and 'already holds a run (metrics.jsonl); pass --overwrite' in err and 'read ' not in out
    assert _snapshot(run) == before


def test_molecules_help_imports_no_heavy_modules():
    code = (
        "import sys; from methodbook.cli import main; main(['molecules', '--help']); import methodbook.molecules.cli; "
        "print(sorted(m for m in ('torch', 'rdkit', 'torch_geometric', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith('[]'), out.stdout + out.stderr


# ---- pretraining at scale: configs, neighbour batches, shards ------------------------------------------------------
from methodbook.molecules.contrastive import MoleculePretrainConfig, NeighbourBatchSampler
from methodbook.molecules.fingerprints import neighbour_table
from methodbook.molecules.shards import featurize_shards, GraphShards, pretrain_shards

SCALE_CASES = [
    ('negative nearest', lambda d: MoleculePretrainConfig(nearest=-1), BadInputError, 'MoleculePretrainConfig.nearest must be'),
    ('a floor above 1', lambda d: MoleculePretrainConfig(min_sim=1.5), BadInputError, 'MoleculePretrainConfig.min_sim must be'),
    ('groups of 0', lambda d: MoleculePretrainConfig(group_size=0), BadInputError, 'MoleculePretrainConfig.group_size must be'),
    ('removing every atom', lambda d: MoleculePretrainConfig(subgraph=1.0), BadInputError, 'MoleculePretrainConfig.subgraph must be in [0, 1)'),
    ('a float group size', lambda d: MoleculePretrainConfig(group_size=2.5), BadInputError, 'MoleculePretrainConfig.group_size must be an integer'),
    (
        'nearest in the loss < 0',
        lambda d: contrastive_loss(torch.randn(4, 8), torch.randn(4, 8), torch.eye(4), nearest=-2),
        BadInputError,
        'nearest must be >= 0',
    ),
    ('neighbours of one molecule', lambda d: neighbour_table(_fp(2048)[:1]), BadInputError, 'need at least 2 fingerprints'),
    ('neighbours of unpacked strings', lambda d: neighbour_table('CCO'), BadTypeError, 'fp must be a tensor of fingerprints'),
    ('a sampler batch of 1', lambda d: NeighbourBatchSampler([(0, 4, None)], 1), BadInputError, 'batch_size must be >= 2'),
    ('shards of a bare str', lambda d: featurize_shards('CCO', d / 's'), BadTypeError, 'wrap one SMILES in a list'),
    ('shards of size 1', lambda d: featurize_shards(SMILES, d / 's', shard_size=1), BadInputError, 'shard_size must be'),
    ('zero neighbours', lambda d: featurize_shards(SMILES, d / 's', neighbours=0), BadInputError, 'neighbours must be'),
    ('shards into a file', lambda d: featurize_shards(SMILES, d / 'f.txt'), BadFileError, "is a file; expected a folder"),
    ('another job in the folder', lambda d: featurize_shards(SMILES[:5], d / 'done'), BadInputError, 'holds shards of other n_smiles'),
    ('a folder without shards', lambda d: GraphShards(d), BadFileError, 'has no shards.json'),
    ('a missing shard', lambda d: GraphShards(d / 'gap'), BadFileError, 'lacks 1 of 2 shards (first: 1); rerun featurize_shards'),
    ('a corrupt shard', lambda d: GraphShards(d / 'bad').shard(0), BadFileError, 'could not be read as a shard'),
    ('atom-only shards asked for groups', lambda d: GraphShards(d / 'atoms'), BadInputError, 'was featurized without group nodes; pass groups=False'),
    (
        'a vocabulary unlike the shards',
        lambda d: pretrain_shards(d / 'done', MoleculePretrainConfig(vocab='ifg')),
        BadInputError,
        "cfg.vocab is 'ifg' but the shards were featurized with 'rdkit'",
    ),
    ('a wrong train config', lambda d: pretrain_shards(d / 'done', train={'max_steps': 2}), BadTypeError, 'train must be a TrainConfig'),
]


@pytest.fixture(scope='module')
def shard_dirs(tmp_path_factory):
    d = tmp_path_factory.mktemp('scale')
    (d / 'f.txt').write_text('x')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        featurize_shards(SMILES, d / 'done', shard_size=4, neighbours=2)
        featurize_shards(SMILES, d / 'gap', shard_size=4, neighbours=2)
        (d / 'gap' / 'shard_00001.npz').unlink()
        featurize_shards(SMILES, d / 'bad', shard_size=4, neighbours=2)
        (d / 'bad' / 'shard_00000.npz').write_bytes(b'not a zip')
        featurize_shards(SMILES, d / 'atoms', shard_size=4, neighbours=2, groups=False)
    return d


@pytest.mark.parametrize('what,f,exc,msg', SCALE_CASES, ids=[c[0] for c in SCALE_CASES])
def test_scale_api_rejects_and_writes_nothing(what, f, exc, msg, shard_dirs):
    before = _snapshot(shard_dirs)
    with pytest.raises(exc, match=re.escape(msg)):
        f(shard_dirs)
    assert _snapshot(shard_dirs) == before
