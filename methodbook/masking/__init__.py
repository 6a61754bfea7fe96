"""Masking: masked-language-model pre-training with a per-sample masking ratio drawn from a distribution (u-PMLM style),
and word-level mask proportions (a per-token masking weight inside each sample).

Map (module.function; every name below is importable from `methodbook.masking`, except the
function `pretrain`, which shares its name with its module: `from methodbook.masking.pretrain import pretrain`):

  data      ratio.parse_ratio, fixed, uniform, beta, linear, cosine (ratio distributions and schedules);
            text.pydoc_corpus, read_corpus, split_heldout, train_wordpiece, chunk_examples, encode_paragraphs;
            corpus.mixed_corpus, corpus_stats (Shakespeare + CPython docs + WordNet glosses), lexname_task (45 classes)
  model     collator.DynamicMaskCollator (exact per-sample ratio; token/word/span; token_weights),
            frequency_weights, LossWeights (word-level proportions); pretrain.tiny_bert
  fit       pretrain.MaskingPretrainConfig + train_config() (a methodbook.train.TrainConfig), pretrain -> PretrainedMLM;
            experiment.run_experiment (six arms x seeds, checkpointed, resumable)
  evaluate  evaluate.multi_rate_eval, infill_eval, infill_demo, time_to_quality, finetune_lexname, bow_baseline, evaluate_runs;
            pretrain.masked_lm_eval, pseudo_perplexity
  report    experiment.summarize, results_table
  cli       cli.main (`methodbook masking ratios|mask|pretrain|fill`), cli.demo
"""

_API = {  # public name -> module of this package that defines it
    'parse_ratio': 'ratio', 'fixed': 'ratio', 'uniform': 'ratio', 'beta': 'ratio', 'linear': 'ratio', 'cosine': 'ratio', 'MaskRatio': 'ratio', 'sample_ratios': 'ratio',
    'pydoc_corpus': 'text', 'read_corpus': 'text', 'split_heldout': 'text', 'train_wordpiece': 'text', 'chunk_examples': 'text', 'encode_paragraphs': 'text',
    'mixed_corpus': 'corpus', 'corpus_stats': 'corpus', 'lexname_task': 'corpus', 'lexname_split': 'corpus', 'wordnet_glosses': 'corpus', 'LEXNAMES': 'corpus',
    'DynamicMaskCollator': 'collator', 'mask_tokens': 'collator', 'frequency_weights': 'collator', 'LossWeights': 'collator',
    'tiny_bert': 'pretrain', 'MaskingPretrainConfig': 'pretrain', 'train_config': 'pretrain', 'PretrainConfig': 'pretrain',
    'PretrainedMLM': 'pretrain', 'fill_mask': 'pretrain', 'embed': 'pretrain', 'masked_lm_eval': 'pretrain', 'pseudo_perplexity': 'pretrain', 'linear_probe': 'pretrain',
    'arms_for': 'experiment', 'run_experiment': 'experiment', 'summarize': 'experiment', 'results_table': 'experiment',
    'multi_rate_eval': 'evaluate', 'infill_eval': 'evaluate', 'infill_demo': 'evaluate', 'time_to_quality': 'evaluate',
    'finetune_lexname': 'evaluate', 'bow_baseline': 'evaluate', 'evaluate_runs': 'evaluate',
    'main': 'cli', 'demo': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook masking --help` must not pay for torch
