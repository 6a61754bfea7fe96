"A finished masking experiment resumes without loading its corpus (nb 44's slow cells rely on it)."

import json

import pytest

import methodbook.masking.evaluate as E
import methodbook.masking.experiment as X
from methodbook.masking.pretrain import MaskingPretrainConfig, train_config


def _fail(*a, **k):
    raise AssertionError('the corpus was loaded although nothing was left to do')


def test_run_experiment_skips_data_when_every_run_is_recorded(tmp_path, monkeypatch):
    monkeypatch.setattr(X, 'experiment_data', _fail)
    res = tmp_path / 'train.jsonl'
    res.write_text(''.join(json.dumps({'arm': a, 'seed': s, 'steps': 7}) + '\n' for a in ('fixed15', 'upmlm') for s in (0, 1)))
    arms = {k: v for k, v in X.arms_for(7).items() if k in ('fixed15', 'upmlm')}
    rows = X.run_experiment(MaskingPretrainConfig(ratio='0.15'), train_config(steps=7), tmp_path, res, [0, 1], arms, verbose=False)
    assert rows == []
    with pytest.raises(AssertionError, match='corpus was loaded'):  # one missing run does need the data
        X.run_experiment(MaskingPretrainConfig(ratio='0.15'), train_config(steps=7), tmp_path, res, [0, 1, 2], arms, verbose=False)


def test_evaluate_runs_skips_corpus_and_task_when_everything_is_evaluated(tmp_path, monkeypatch):
    monkeypatch.setattr(E, 'heldout_windows', _fail)
    (tmp_path / 'train.jsonl').write_text(json.dumps({'arm': 'decay', 'seed': 1, 'steps': 5}) + '\n')
    (tmp_path / 'eval.jsonl').write_text(json.dumps({'arm': 'decay', 'seed': 1, 'steps': 5}) + '\n')
    (tmp_path / 'baselines.jsonl').write_text(json.dumps({'baseline': 'bow_logreg'}) + '\n' + json.dumps({'baseline': 'untrained', 'seed': 1}) + '\n')
    with pytest.raises(E.BadInputError, match='no saved tokenizer'):  # reached the cheap branch, which still needs the tokenizer
        E.evaluate_runs(MaskingPretrainConfig(ratio='0.15'), tmp_path / 'runs', tmp_path, [1], ['decay'], steps=5)
    (tmp_path / 'baselines.jsonl').write_text(json.dumps({'baseline': 'bow_logreg'}) + '\n')  # a missing baseline needs the corpus
    with pytest.raises(AssertionError, match='corpus was loaded'):
        E.evaluate_runs(MaskingPretrainConfig(ratio='0.15'), tmp_path / 'runs', tmp_path, [1], ['decay'], steps=5)
