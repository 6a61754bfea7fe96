"""Explain: is a human-meaningful characteristic present in what a model looked at? (aspect models + mapped saliency)

Map (module.function; every name below is importable from `methodbook.explain`, except the functions
`explain` and `saliency`, which share their names with their modules: `from methodbook.explain.explain import explain`):

  data      data.sample_scenes -> Scenes, render, task_labels, sample_shortcut_scenes, shape_masks (synthetic scenes with
            ground truth); digits.load_digit_data, digit_aspect_labels (sklearn digits); own.read_image (your images)
  model     aspects.aspect_cnn, AspectSet; own.load_model (your TorchScript/safetensors model)
  fit       aspects.train_aspect_models, fit_aspect_maps, AspectSet.fit_maps; mapping.fit_linear_map; digits.train_digit_models;
            benchmark.train_models; checks.train_shortcut_model (all through methodbook.train.fit)
  evaluate  saliency.saliency, make_mask, masked_representation; explain.explain / explain_batch -> Explanation;
            benchmark.run_benchmark, causal_aspects, randomized_copy; checks.explanation_scores;
            checks.relevance_mass_accuracy, relevance_rank_accuracy, pointing_game, shortcut_intervention, shortcut_report,
            model_contrast, cascading_randomization; digits.digits_evaluation, consistency_scores
  report    Explanation.plot, to_text, to_dict, reported; benchmark.results_table; digits.stroke_usage
  cli       cli.main (`methodbook explain digits|scene|benchmark|image`), cli.demo
"""

_API = {  # public name -> module of this package that defines it
    'load_digit_data': 'digits', 'digit_aspect_labels': 'digits', 'train_digit_models': 'digits', 'digits_evaluation': 'digits', 'consistency_scores': 'digits', 'stroke_usage': 'digits',
    'sample_scenes': 'data', 'Scenes': 'data', 'render': 'data', 'task_labels': 'data', 'sample_shortcut_scenes': 'data', 'shape_masks': 'data',
    'ASPECTS': 'data', 'CAUSAL': 'data', 'CLASSES': 'data', 'DISTRACTORS': 'data', 'shape_templates': 'data',
    'causal_aspects': 'benchmark', 'BenchConfig': 'benchmark', 'train_models': 'benchmark', 'run_benchmark': 'benchmark', 'explanation_scores': 'checks', 'randomized_copy': 'benchmark', 'results_table': 'benchmark',
    'read_image': 'own', 'load_model': 'own',
    'aspect_cnn': 'aspects', 'AspectSet': 'aspects', 'train_aspect_models': 'aspects', 'fit_aspect_maps': 'aspects',
    'fit_linear_map': 'mapping', 'IdentityMap': 'mapping', 'LinearMap': 'mapping',
    'make_mask': 'saliency', 'masked_representation': 'saliency',
    'explain_batch': 'explain', 'Explanation': 'explain',
    'relevance_mass_accuracy': 'checks', 'relevance_rank_accuracy': 'checks', 'pointing_game': 'checks', 'ShortcutConfig': 'checks',
    'train_shortcut_model': 'checks', 'shortcut_intervention': 'checks', 'shortcut_report': 'checks', 'model_contrast': 'checks',
    'cascading_randomization': 'checks', 'spearman_maps': 'checks', 'ssim_maps': 'checks',
    'main': 'cli', 'demo': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook explain --help` must not pay for torch
