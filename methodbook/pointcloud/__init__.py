"""Pointcloud: pre-train a point-cloud autoencoder to reconstruct clean shapes from corrupted inputs (denoising, Point-DAE style).

Map (module.function; every name below is importable from `methodbook.pointcloud`):

  data      data.shapes_data, folder_data -> CloudData; read_point_cloud, read_clouds (meshes via methodbook.data.read_mesh),
            normalize_points; shapes.write_shape_folder (20 compositional classes, ModelNet-style), make_object;
            represent.make_representation, to_tensor (VoxelGrid, BasisPointSet)
  model     model.AEConfig, PointCloudAE (voxel/BPS grid encoder, optional PointNet branch with pool 'max' or 'quantile',
            optional outlier removal before encoding), pool_points; losses.chamfer_distance, corrupt, noisy_reconstruction_loss
  fit       model.PointCloudPretrainConfig + methodbook.train.TrainConfig (train_config: the tuned loop), pretrain(corrupt_fn=...),
            load_pretrained; corruption.noisy_affine (a corrupt_fn); PretrainConfig (deprecated, both in one)
  evaluate  evaluate.embed, svm_accuracy, evaluate_model, voxel_svm_baseline, run_ablation;
            corruption.corrupt_clouds (9 corruptions x 3 severities), statistical_outlier_removal, corruption_accuracies, mean_corruption_error
  report    evaluate.summarize_ablation, plot_ablation; model.plot_reconstructions; corruption.plot_corruptions; shapes.plot_shape_grid
  cli       cli.main (`methodbook pointcloud pretrain|embed|evaluate`), cli.demo
"""

_API = {  # public name -> module of this package that defines it
    'shapes_data': 'data', 'folder_data': 'data', 'CloudData': 'data', 'read_point_cloud': 'data', 'read_clouds': 'data', 'normalize_points': 'data',
    'make_representation': 'represent', 'to_tensor': 'represent', 'VoxelGrid': 'represent', 'BasisPointSet': 'represent',
    'AEConfig': 'model', 'PointCloudAE': 'model', 'pool_points': 'model', 'PointCloudPretrainConfig': 'model', 'train_config': 'model',
    'PretrainConfig': 'model', 'pretrain': 'model', 'load_pretrained': 'model', 'plot_reconstructions': 'model',
    'chamfer_distance': 'losses', 'corrupt': 'losses', 'noisy_reconstruction_loss': 'losses',
    'embed': 'evaluate', 'svm_accuracy': 'evaluate', 'evaluate_model': 'evaluate', 'voxel_svm_baseline': 'evaluate', 'run_ablation': 'evaluate', 'summarize_ablation': 'evaluate', 'plot_ablation': 'evaluate',
    'COMPOSITE_CLASSES': 'shapes', 'make_object': 'shapes', 'write_shape_folder': 'shapes', 'plot_shape_grid': 'shapes',
    'CORRUPTIONS': 'corruption', 'corrupt_clouds': 'corruption', 'random_affine': 'corruption', 'noisy_affine': 'corruption', 'statistical_outlier_removal': 'corruption',
    'corruption_accuracies': 'corruption', 'mean_corruption_error': 'corruption', 'plot_corruptions': 'corruption',
    'main': 'cli', 'demo': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook pointcloud --help` must not pay for torch
