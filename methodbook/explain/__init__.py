"""Explain: is a human-meaningful characteristic present in what a model looked at? (aspect models + mapped saliency)

Map (module.function; every name below is importable from `methodbook.explain`, except the functions
`explain` and `saliency`, which share their names with their modules: `from methodbook.explain.explain import explain`):

  data      digits.load_digit_data, digit_aspect_labels (sklearn digits); benchmark.sample_scenes -> Scenes,
            render (synthetic scenes with ground truth); own.read_image (your images)
  model     aspects.aspect_cnn, AspectSet; own.load_model (your TorchScript/safetensors model)
  fit       aspects.train_aspect_models, fit_aspect_maps; mapping.fit_linear_map; digits.train_digit_models;
            benchmark.train_models (all through methodbook.train.fit)
  evaluate  saliency.saliency, make_mask, masked_representation; explain.explain / explain_batch -> Explanation;
            benchmark.run_benchmark, explanation_scores, randomized_copy (sanity check);
            digits.digits_evaluation, consistency_scores
  report    Explanation.plot, Explanation.reported; benchmark.results_table; digits.stroke_usage
  cli       cli.main (`methodbook explain digits|scene|benchmark|image`), cli.demo
"""

_API = {  # public name -> module of this package that defines it
    'load_digit_data': 'digits', 'digit_aspect_labels': 'digits', 'train_digit_models': 'digits', 'digits_evaluation': 'digits', 'consistency_scores': 'digits', 'stroke_usage': 'digits',
    'sample_scenes': 'benchmark', 'Scenes': 'benchmark', 'render': 'benchmark', 'BenchConfig': 'benchmark', 'train_models': 'benchmark', 'run_benchmark': 'benchmark', 'explanation_scores': 'benchmark', 'randomized_copy': 'benchmark', 'results_table': 'benchmark',
    'read_image': 'own', 'load_model': 'own',
    'aspect_cnn': 'aspects', 'AspectSet': 'aspects', 'train_aspect_models': 'aspects', 'fit_aspect_maps': 'aspects',
    'fit_linear_map': 'mapping', 'IdentityMap': 'mapping', 'LinearMap': 'mapping',
    'make_mask': 'saliency', 'masked_representation': 'saliency',
    'explain_batch': 'explain', 'Explanation': 'explain',
    'main': 'cli', 'demo': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook explain --help` must not pay for torch
