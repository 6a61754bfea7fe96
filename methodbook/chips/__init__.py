"""Chips: one weight-sharing supernet, trained once, specialised per chip (OFA-style once-for-all search).

Map (module: names; every name below is importable from `methodbook.chips`):

  data      data: digits_data, cifar10_data, image_folder_data, load_image_data, image_data, augment -> ImageData
            nb201: load_nb201 -> NB201Space (NAS-Bench-201: true accuracy, ten real devices' latency), Cell
  model     supernet: SearchSpace, Arch (JSON), Supernet, extract_subnet -> Subnet
  fit       train: train_supernet (sandwich rule + inplace distillation via methodbook.train.fit),
            pretrained_supernet (cached), recalibrate_bn, train_standalone
            devices: OpLatencyModel (a new chip's per-op latency table from a few measured cells)
  evaluate  train: inherited_accuracy; latency: get_chip, load_chips, ChipLatency, build_latency_table;
            search: AccuracyTable, AccuracyPredictor, Condition, Objective, evolutionary_search, random_search,
            pareto_front, performance_indices, select_target;
            devices: run_search, score_search, fewshot_latency, roofline_vs_measured (datasheet roofline vs measured)
  report    export: export_model -> ChipModel, load_exported; search: plot_pareto;
            devices: per_chip_selection, selection_table, summarize, plot_fronts, with_chips (your chips next to the ten)
  cli       cli: specialize (the whole method), main (`methodbook chips search|table|list|nb201|calibrate`), demo

Notebooks: 10 supernet, 11 train, 12 latency, 13 search, 14 export, 15 nb201, 16 devices, 17 data, 19 cli.
"""

_API = {  # public name -> module of this package that defines it
    'digits_data': 'data', 'cifar10_data': 'data', 'image_folder_data': 'data', 'load_image_data': 'data', 'image_data': 'data', 'augment': 'data', 'ImageData': 'data',
    'train_supernet': 'train', 'pretrained_supernet': 'train', 'recalibrate_bn': 'train', 'train_standalone': 'train', 'inherited_accuracy': 'train',
    'SearchSpace': 'supernet', 'Arch': 'supernet', 'Supernet': 'supernet', 'Subnet': 'supernet', 'extract_subnet': 'supernet',
    'get_chip': 'latency', 'load_chips': 'latency', 'ChipSpec': 'latency', 'ChipLatency': 'latency', 'build_latency_table': 'latency',
    'AccuracyTable': 'search', 'AccuracyPredictor': 'search', 'Condition': 'search', 'Objective': 'search', 'evolutionary_search': 'search', 'random_search': 'search', 'pareto_front': 'search', 'performance_indices': 'search', 'select_target': 'search', 'plot_pareto': 'search',
    'load_nb201': 'nb201', 'NB201Space': 'nb201', 'Cell': 'nb201',
    'run_search': 'devices', 'score_search': 'devices', 'per_chip_selection': 'devices', 'selection_table': 'devices', 'summarize': 'devices', 'plot_fronts': 'devices',
    'OpLatencyModel': 'devices', 'fewshot_latency': 'devices', 'roofline_vs_measured': 'devices', 'with_chips': 'devices', 'NB201_DATASHEETS': 'devices',
    'export_model': 'export', 'ChipModel': 'export', 'load_exported': 'export',
    'specialize': 'cli', 'main': 'cli', 'demo': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook chips --help` must not pay for torch
