"""Chips: one weight-sharing supernet, trained once, specialised per chip (OFA-style once-for-all search).

Map (module.function; every name below is importable from `methodbook.chips`):

  data      train.digits_data, cifar10_data, image_folder_data, load_image_data -> ImageData
  model     supernet.SearchSpace, Arch (JSON), Supernet, extract_subnet -> Subnet
  fit       train.train_supernet (sandwich rule + inplace distillation via methodbook.train.fit),
            pretrained_supernet (cached), recalibrate_bn, train_standalone
  evaluate  train.inherited_accuracy; latency.get_chip, load_chips, ChipLatency, build_latency_table;
            search.AccuracyTable, AccuracyPredictor, Condition, Objective, evolutionary_search,
            random_search, pareto_front, performance_indices, select_target;
            nb201.load_nb201 (NAS-Bench-201 on ten real devices), devices.run_search, score_search
  report    export.export_model -> ChipModel, load_exported; search.plot_pareto;
            devices.per_chip_selection, selection_table, summarize, plot_fronts
  cli       cli.specialize (the whole method), cli.main (`methodbook chips ...`), cli.demo
"""

_API = {  # public name -> module of this package that defines it
    'digits_data': 'train', 'cifar10_data': 'train', 'image_folder_data': 'train', 'load_image_data': 'train', 'ImageData': 'train', 'train_supernet': 'train', 'pretrained_supernet': 'train', 'recalibrate_bn': 'train', 'train_standalone': 'train', 'inherited_accuracy': 'train',
    'SearchSpace': 'supernet', 'Arch': 'supernet', 'Supernet': 'supernet', 'Subnet': 'supernet', 'extract_subnet': 'supernet',
    'get_chip': 'latency', 'load_chips': 'latency', 'ChipSpec': 'latency', 'ChipLatency': 'latency', 'build_latency_table': 'latency',
    'AccuracyTable': 'search', 'AccuracyPredictor': 'search', 'Condition': 'search', 'Objective': 'search', 'evolutionary_search': 'search', 'random_search': 'search', 'pareto_front': 'search', 'performance_indices': 'search', 'select_target': 'search', 'plot_pareto': 'search',
    'load_nb201': 'nb201', 'NB201Space': 'nb201',
    'run_search': 'devices', 'score_search': 'devices', 'per_chip_selection': 'devices', 'selection_table': 'devices', 'summarize': 'devices', 'plot_fronts': 'devices',
    'export_model': 'export', 'ChipModel': 'export', 'load_exported': 'export',
    'specialize': 'cli', 'main': 'cli', 'demo': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook chips --help` must not pay for torch
