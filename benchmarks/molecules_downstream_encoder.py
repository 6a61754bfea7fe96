"""A small pretrained encoder for the downstream protocol when no better one is at hand (the shipped encoder of issue 14
item 4 replaces it: pass its folder to molecules_downstream.py --encoder).

  python benchmarks/molecules_downstream_encoder.py --epochs 1 --out benchmarks/results/molecules_downstream_encoder

Pretrains the full method (groups + fingerprint positives, `MoleculePretrainConfig()` defaults) on RDKit's ~15k shipped
molecules, hidden 64, 3 RGCN layers, batch 128, lr 1e-3 cosine, seed 0, and saves the encoder with `MolEncoder.save`.
"""

import argparse, json, time, warnings
from pathlib import Path
import torch

torch.set_num_threads(1)
from methodbook.train import TrainConfig
from methodbook.molecules.data import default_smiles
from methodbook.molecules.encoder import EncoderConfig
from methodbook.molecules import contrastive


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=float, default=1.0)
    ap.add_argument('--hidden', type=int, default=64)
    ap.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'molecules_downstream_encoder'))
    a = ap.parse_args(argv)
    warnings.simplefilter('ignore')
    cfg_cls = getattr(contrastive, 'MoleculePretrainConfig', None) or getattr(contrastive, 'PretrainConfig')
    cfg = cfg_cls(n_jobs=1) if 'n_jobs' in cfg_cls.__dataclass_fields__ else cfg_cls()
    smiles = default_smiles()
    steps = max(1, int(a.epochs * len(smiles) / cfg.batch_size))
    tr = TrainConfig(max_steps=steps, lr=1e-3, scheduler='cosine', warmup_steps=10, progress=False, seed=0)
    t0 = time.perf_counter()
    p = contrastive.pretrain(smiles, cfg, EncoderConfig(hidden=a.hidden, layers=3, proj_dim=64), tr)
    enc = p.model.encoder
    enc.save(a.out)
    L = p.losses if hasattr(p, 'losses') else [h['loss'] for h in p.history]
    card = dict(
        data=f'RDKit shipped molecules ({p.n_molecules} featurized)',
        steps=steps,
        epochs=a.epochs,
        batch=cfg.batch_size,
        hidden=a.hidden,
        loss_first10=sum(L[:10]) / 10,
        loss_last10=sum(L[-10:]) / 10,
        featurize_s=round(p.featurize_s, 1),
        train_s=round(p.train_s, 1),
        total_s=round(time.perf_counter() - t0, 1),
        config={k: getattr(cfg, k) for k in cfg.__dataclass_fields__},
    )
    (Path(a.out) / 'card.json').write_text(json.dumps(card, indent=1, default=str))
    print(json.dumps(card, default=str))


if __name__ == '__main__':
    main()
