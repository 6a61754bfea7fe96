"""Molecules: contrastive pre-training of a graph encoder over atoms and functional groups (MolCLR/KANO-style, structure-aware positives).

Map (module.function; every name below is importable from `methodbook.molecules`):

  data      data.read_molecules (= methodbook.data.read_molecules) -> MoleculeTable, default_smiles, parse_smiles, scaffold_split,
            random_split; groups.rdkit_vocab, functional_groups; graph.featurize, mol_to_graph;
            fingerprints.morgan_fingerprints, tanimoto_matrix, neighbour_table; shards.featurize_shards -> GraphShards (on disk)
  model     encoder.EncoderConfig, MolEncoder, ContrastiveModel; cli.pretrained_path (the encoder shipped in the package)
  fit       contrastive.MoleculePretrainConfig (+ methodbook.train.TrainConfig), pretrain, NeighbourBatchSampler, contrastive_loss;
            shards.pretrain_shards (MOSES scale, resumable) -> Pretrained
  evaluate  downstream.load_task, task_from_file -> Task; compare (vs ECFP + random forest, from scratch),
            finetune, linear_probe, ecfp_rf, embed_smiles
  report    downstream.summarize; groups.draw_groups
  cli       cli.main (`methodbook molecules groups|featurize|pretrain|evaluate|embed`), cli.load_encoder, cli.demo
"""

_API = {  # public name -> module of this package that defines it
    'read_molecules': 'data', 'MoleculeTable': 'data', 'default_smiles': 'data', 'parse_smiles': 'data', 'scaffold_split': 'data', 'random_split': 'data',
    'rdkit_vocab': 'groups', 'functional_groups': 'groups', 'draw_groups': 'groups',
    'featurize': 'graph', 'mol_to_graph': 'graph',
    'morgan_fingerprints': 'fingerprints', 'tanimoto_matrix': 'fingerprints', 'neighbour_table': 'fingerprints',
    'featurize_shards': 'shards', 'GraphShards': 'shards', 'pretrain_shards': 'shards',
    'EncoderConfig': 'encoder', 'MolEncoder': 'encoder', 'ContrastiveModel': 'encoder',
    'MoleculePretrainConfig': 'contrastive', 'PretrainConfig': 'contrastive', 'pretrain': 'contrastive', 'Pretrained': 'contrastive',
    'NeighbourBatchSampler': 'contrastive', 'contrastive_loss': 'contrastive',
    'load_task': 'downstream', 'task_from_file': 'downstream', 'Task': 'downstream', 'compare': 'downstream', 'finetune': 'downstream', 'linear_probe': 'downstream', 'ecfp_rf': 'downstream', 'embed_smiles': 'downstream', 'summarize': 'downstream',
    'main': 'cli', 'load_encoder': 'cli', 'demo': 'cli', 'pretrained_path': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook molecules --help` must not pay for torch
