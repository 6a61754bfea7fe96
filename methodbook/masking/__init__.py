"""Masking: masked-language-model pre-training with a per-sample masking ratio drawn from a distribution (u-PMLM style).

Map (module.function; every name below is importable from `methodbook.masking`, except the
function `pretrain`, which shares its name with its module: `from methodbook.masking.pretrain import pretrain`):

  data      text.pydoc_corpus, read_corpus, split_heldout, train_wordpiece, encode_paragraphs;
            ratio.parse_ratio, fixed, uniform, beta, linear, cosine (ratio distributions and schedules)
  model     pretrain.tiny_bert; collator.DynamicMaskCollator, mask_tokens (exact per-sample ratio; token/word/span)
  fit       pretrain.PretrainConfig, pretrain (through methodbook.train.fit) -> PretrainedMLM
  evaluate  pretrain.masked_lm_eval, pseudo_perplexity, linear_probe, fill_mask, embed;
            experiment.run_experiment (fixed 15%/40% vs dynamic ratios, same token budget)
  report    experiment.summarize, results_table
  cli       cli.main (`methodbook masking ratios|mask|pretrain|fill`), cli.demo
"""

_API = {  # public name -> module of this package that defines it
    'pydoc_corpus': 'text', 'read_corpus': 'text', 'split_heldout': 'text', 'train_wordpiece': 'text', 'encode_paragraphs': 'text',
    'parse_ratio': 'ratio', 'fixed': 'ratio', 'uniform': 'ratio', 'beta': 'ratio', 'linear': 'ratio', 'cosine': 'ratio', 'MaskRatio': 'ratio', 'sample_ratios': 'ratio',
    'tiny_bert': 'pretrain', 'PretrainConfig': 'pretrain', 'PretrainedMLM': 'pretrain', 'masked_lm_eval': 'pretrain', 'pseudo_perplexity': 'pretrain', 'linear_probe': 'pretrain', 'fill_mask': 'pretrain', 'embed': 'pretrain',
    'DynamicMaskCollator': 'collator', 'mask_tokens': 'collator',
    'run_experiment': 'experiment', 'summarize': 'experiment', 'results_table': 'experiment',
    'main': 'cli', 'demo': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook masking --help` must not pay for torch
