"Bad input to the masking method, through the API and `methodbook masking ...`: the right error, a message that names what is wrong, nothing written."

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

torch.set_num_threads(1)
from methodbook.core import BadInputError, BadTypeError, BadFileError, MissingFileError
from methodbook.cli import main
from methodbook.masking.collator import DynamicMaskCollator
from methodbook.masking.ratio import parse_ratio, MaskRatio
from methodbook.masking.text import read_corpus, train_wordpiece, chunk_examples
from methodbook.masking.pretrain import MaskingPretrainConfig, PretrainedMLM, tiny_bert

WORDS = 'the river crosses an old valley while farmers sell their harvest near quiet villages and busy markets'.split()


def own_text(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return '\n\n'.join(' '.join(rng.choice(WORDS, 40)) + '.' for _ in range(n))


@pytest.fixture(scope='module')
def tok():
    return train_wordpiece([own_text()], vocab_size=120, min_frequency=1)


@pytest.fixture(scope='module')
def plain():
    return DynamicMaskCollator(ratio=0.3, mask_token_id=4, pad_token_id=0, vocab_size=50, special_ids=[1, 2, 3], seed=0)


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(folder.rglob('*')) if p.is_file()}


# ---- API: (callable, error type, text the message must hold) ----
def _api_cases():
    return {
        'ratio lo > hi': (lambda t, p, d: parse_ratio('uniform:0.6:0.2'), BadInputError, "'uniform:0.6:0.2': lo must be < hi"),
        'ratio NaN': (lambda t, p, d: parse_ratio('nan'), BadInputError, "'fixed:nan': 1 parameter(s) are NaN"),
        'ratio above 1': (lambda t, p, d: parse_ratio('beta:2:5:0.1:1.5'), BadInputError, "'beta:2:5:0.1:1.5': hi must be in [0, 1]"),
        'ratio unknown distribution': (lambda t, p, d: parse_ratio('gauss:0.1:0.2'), BadInputError, "unknown distribution 'gauss'"),
        'ratio wrong type': (lambda t, p, d: MaskRatio('uniform', ('a', 'b')), BadTypeError, "params must be a tuple of numbers (uniform:lo:hi)"),
        'tokenizer without mask token': (lambda t, p, d: DynamicMaskCollator(_no_mask(t)), BadInputError, 'has no mask token'),
        'mask id outside vocabulary': (lambda t, p, d: DynamicMaskCollator(mask_token_id=50, vocab_size=50), BadInputError, 'mask_token_id must be in [0, 49]'),
        'ids outside vocabulary': (
            lambda t, p, d: DynamicMaskCollator(t)([[2, 7, 3], [2, 500, 9999, 3]]),
            BadInputError,
            '2 token id(s) outside the vocabulary [0, ',
        ),
        'ids outside vocabulary, first bad': (
            lambda t, p, d: DynamicMaskCollator(t)([[2, 7, 3], [2, 500, 9999, 3]]),
            BadInputError,
            'in 1 example(s) (first: example 1, id 500)',
        ),
        'negative id': (lambda t, p, d: p([[2, 7, 3], [2, 8, 3], [2, -3, 3]]), BadInputError, 'first: example 2, id -3'),
        'float ids': (lambda t, p, d: p([[2, 7, 3], [2, 7.5, 3]]), BadTypeError, 'input_ids of example 1 must hold integer token ids'),
        'float tensor ids': (
            lambda t, p, d: p([torch.tensor([2, 7, 3]), torch.tensor([2.0, 7.0, 3.0])]),
            BadTypeError,
            'example 1 must hold integer token ids, got dtype torch.float32',
        ),
        'empty batch': (lambda t, p, d: p([]), BadInputError, 'empty list of examples'),
        'empty example': (lambda t, p, d: p([[2, 7, 3], []]), BadInputError, '1 example(s) have no input_ids (empty sequence; first: example 1)'),
        'ragged without pad': (lambda t, p, d: DynamicMaskCollator(mask_token_id=4, vocab_size=50)([[5, 6, 7], [5]]), BadInputError, 'no pad token'),
        'mask length mismatch': (
            lambda t, p, d: p([{'input_ids': [2, 7, 3], 'attention_mask': [1, 1, 1]}, {'input_ids': [2, 7, 3], 'attention_mask': [1, 1]}]),
            BadInputError,
            "'attention_mask' of example 1 has 2 values but its input_ids have 3",
        ),
        'return_tensors tf': (lambda t, p, d: DynamicMaskCollator(t, return_tensors='tf'), BadInputError, "return_tensors must be one of 'pt', 'np'; got 'tf'"),
        'missing corpus file': (lambda t, p, d: read_corpus(d / 'nope.txt'), MissingFileError, 'nope.txt'),
        'empty corpus file': (lambda t, p, d: read_corpus(_write(d / 'empty.txt', b'')), BadFileError, 'empty.txt'),
        'binary corpus file': (lambda t, p, d: read_corpus(_write(d / 'image.txt', b'\x89PNG\r\n\x1a\n\x00\x00')), BadFileError, "image.txt' is not text"),
        'latin-1 corpus file': (
            lambda t, p, d: read_corpus(_write(d / 'latin.txt', 'caf\xe9 '.encode('latin-1') * 40)),
            BadFileError,
            "latin.txt' is not UTF-8",
        ),
        'tokenizer on one string': (lambda t, p, d: train_wordpiece('a whole corpus in one string'), BadTypeError, 'texts must be a list of strings'),
        'too little text for one example': (
            lambda t, p, d: chunk_examples(t, ['the river'], max_len=64),
            BadInputError,
            'fewer than one example of max_len=64',
        ),
        'heads do not divide hidden': (
            lambda t, p, d: MaskingPretrainConfig(hidden=30, heads=4),
            BadInputError,
            'MaskingPretrainConfig.hidden (30) must be a multiple of MaskingPretrainConfig.heads (4)',
        ),
        'unknown config key': (lambda t, p, d: MaskingPretrainConfig.from_dict({'layers': 3, 'stepz': 4}), BadInputError, "unknown config keys ['stepz']"),
        'load another kind of folder': (lambda t, p, d: PretrainedMLM.load(_other_kind(d)), BadFileError, "holds a 'other.kind' model, not a 'masking.bert'"),
        'load a truncated model': (lambda t, p, d: PretrainedMLM.load(_truncated(t, d)), BadFileError, 'could not be read (truncated or not safetensors)'),
    }


def _write(p: Path, b: bytes) -> Path:
    p.write_bytes(b)
    return p


def _no_mask(tok):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=tok.backend_tokenizer, pad_token='[PAD]')


def _saved(tok, d: Path) -> Path:
    return PretrainedMLM(tiny_bert(len(tok), hidden=16, layers=1, heads=2, max_len=32), tok, MaskingPretrainConfig(vocab_size=120)).save(d / 'model')


def _other_kind(d: Path) -> Path:
    from methodbook.core import save_pretrained

    return save_pretrained(d / 'other', torch.nn.Linear(2, 2), 'other.kind')


def _truncated(tok, d: Path) -> Path:
    p = _saved(tok, d)
    w = p / 'model.safetensors'
    w.write_bytes(w.read_bytes()[:100])
    return p


@pytest.mark.parametrize('name', list(_api_cases()))
def test_api_bad_input(name, tok, plain, tmp_path):
    fn, err, text = _api_cases()[name]
    before = snapshot(tmp_path)
    with pytest.raises(err) as e:
        fn(tok, plain, tmp_path)
    assert text in str(e.value), str(e.value)
    if name not in ('empty corpus file', 'binary corpus file', 'latin-1 corpus file', 'load another kind of folder', 'load a truncated model'):
        assert snapshot(tmp_path) == before


# ---- CLI: argv after `methodbook masking`, text the one stderr line must hold; --out must not appear ----
CLI_CASES = {
    'pretrain bad ratio': (['pretrain', '--ratio', 'uniform:0.5:0.2'], "MaskingPretrainConfig.ratio: mask ratio 'uniform:0.5:0.2': lo must be < hi"),
    'pretrain NaN lr': (['pretrain', '--lr', 'nan'], '--lr must be a finite number'),
    'pretrain negative steps': (['pretrain', '--steps', '-5'], '--steps must be in [1, 1000000000]'),
    'pretrain heads vs hidden': (['pretrain', '--hidden', '30', '--heads', '4'], 'must be a multiple of MaskingPretrainConfig.heads (4)'),
    'pretrain unknown mode': (['pretrain', '--mode', 'sentence'], "MaskingPretrainConfig.mode must be one of 'token', 'word', 'span'"),
    'pretrain missing corpus': (['pretrain', '--corpus', '{d}/missing.txt'], "--corpus: '{d}/missing.txt' does not exist"),
    'pretrain empty corpus': (['pretrain', '--corpus', '{d}/empty.txt'], "empty.txt' has no paragraph"),
    'pretrain corpus smaller than a batch': (['pretrain', '--corpus', '{d}/small.txt', '--batch-size', '64'], 'fewer than one batch (batch_size=64)'),
    'pretrain out is a file': (['pretrain', '--out', '{d}/afile.txt'], "--out: '{d}/afile.txt' is a file"),
    'ratios zero draws': (['ratios', '--n', '0'], '--n must be in [1, 10000000]'),
    'mask unknown mode': (['mask', '--mode', 'sentence'], "--mode must be one of 'token', 'word', 'span'"),
    'mask empty text': (['mask', '--text', ' '], '--text is empty'),
    'fill missing model': (['fill', '{d}/no_model'], "--model: '{d}/no_model' does not exist"),
    'fill text without mask': (['fill', '{d}/model', '--text', 'no mask here'], 'has no [MASK] to fill'),
    'fill zero candidates': (['fill', '{d}/model', '--top-k', '0'], '--top-k must be >= 1'),
}


@pytest.fixture
def cli_dir(tmp_path, tok):
    (tmp_path / 'empty.txt').write_text('')
    (tmp_path / 'small.txt').write_text(own_text(8))
    (tmp_path / 'afile.txt').write_text('keep me')
    _saved(tok, tmp_path)
    return tmp_path


@pytest.mark.parametrize('name', list(CLI_CASES))
def test_cli_bad_input(name, cli_dir, capsys):
    argv, text = CLI_CASES[name]
    d = str(cli_dir)
    argv = [a.replace('{d}', d) for a in argv]
    if argv[0] == 'pretrain' and '--out' not in argv:
        argv += ['--out', f'{d}/out']
    argv += ['--steps', '2'] if argv[0] == 'pretrain' and '--steps' not in argv else []
    before = snapshot(cli_dir)
    assert main(['masking'] + argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f'methodbook masking {argv[0]}: error: ') and '\n' not in err, err
    assert text.replace('{d}', d) in err, err
    assert not (cli_dir / 'out').exists() and snapshot(cli_dir) == before  # nothing written, nothing replaced


def test_cli_refuses_to_overwrite_a_run(tmp_path, capsys):
    "A second pretrain into the same --out is refused before training, and the first run's files stay as they were."
    (tmp_path / 'c.txt').write_text(own_text(60))
    args = [
        'masking',
        'pretrain',
        '--corpus',
        str(tmp_path / 'c.txt'),
        '--out',
        str(tmp_path / 'run'),
        '--steps',
        '2',
        '--batch-size',
        '4',
        '--max-len',
        '32',
        '--hidden',
        '16',
        '--layers',
        '1',
        '--vocab-size',
        '100',
    ]
    assert main(args) == 0
    before = snapshot(tmp_path / 'run')
    capsys.readouterr()
    assert main(args + ['--seed', '1']) == 2
    assert 'already holds a run' in capsys.readouterr().err
    assert snapshot(tmp_path / 'run') == before
    assert main(args + ['--seed', '1', '--overwrite']) == 0  # asked for: replaced
    assert json.loads((tmp_path / 'run' / 'train_config.json').read_text())['seed'] == 1  # the seed is the TrainConfig's
