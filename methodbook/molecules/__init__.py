"""Molecules: contrastive pre-training of a graph encoder over atoms and functional groups (MolCLR/KANO-style, structure-aware positives).

Map (module.function; every name below is importable from `methodbook.molecules`):

  data      data.read_molecules -> MoleculeTable, default_smiles, parse_smiles, scaffold_split, random_split;
            groups.rdkit_vocab, functional_groups; graph.featurize, mol_to_graph;
            fingerprints.morgan_fingerprints, tanimoto_matrix
  model     encoder.EncoderConfig, MolEncoder, ContrastiveModel
  fit       contrastive.PretrainConfig, pretrain (through methodbook.train.fit) -> Pretrained; contrastive_loss
  evaluate  downstream.load_task, task_from_file -> Task; compare (vs ECFP + random forest, from scratch),
            finetune, linear_probe, ecfp_rf, embed_smiles
  report    downstream.summarize; groups.draw_groups
  cli       cli.main (`methodbook molecules groups|featurize|pretrain|evaluate|embed`), cli.load_encoder, cli.demo
"""

_API = {  # public name -> module of this package that defines it
    'read_molecules': 'data', 'MoleculeTable': 'data', 'default_smiles': 'data', 'parse_smiles': 'data', 'scaffold_split': 'data', 'random_split': 'data',
    'rdkit_vocab': 'groups', 'functional_groups': 'groups', 'draw_groups': 'groups',
    'featurize': 'graph', 'mol_to_graph': 'graph',
    'morgan_fingerprints': 'fingerprints', 'tanimoto_matrix': 'fingerprints',
    'EncoderConfig': 'encoder', 'MolEncoder': 'encoder', 'ContrastiveModel': 'encoder',
    'PretrainConfig': 'contrastive', 'pretrain': 'contrastive', 'Pretrained': 'contrastive', 'contrastive_loss': 'contrastive',
    'load_task': 'downstream', 'task_from_file': 'downstream', 'Task': 'downstream', 'compare': 'downstream', 'finetune': 'downstream', 'linear_probe': 'downstream', 'ecfp_rf': 'downstream', 'embed_smiles': 'downstream', 'summarize': 'downstream',
    'main': 'cli', 'load_encoder': 'cli', 'demo': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook molecules --help` must not pay for torch
