"""Copy the newest encoder of a MOSES pretraining run into the package (methodbook/molecules/pretrained/) with a model card.

  python benchmarks/molecules_ship.py [--run <cache>/molecules/moses_250000/runs/full] [--log benchmarks/results/molecules_pretrain.jsonl]

The card (README.md next to the weights) is written from the run's own records: its methodbook.json (encoder config,
featurization, group vocabulary), the last 'pretrain' row of the results log (steps, molecules seen, loss, extra
positives per anchor) and the shards manifest. Downstream numbers are measured separately
(benchmarks/results/molecules_downstream*) and written into the card's Downstream section by
benchmarks/molecules_downstream_report.py. Re-copying the same weights keeps the card's existing section; different
weights reset it to "not yet evaluated" (the old numbers describe another encoder), unless --downstream is given.
"""

import argparse, hashlib, json, shutil
from pathlib import Path

PKG = Path(__file__).parents[1] / 'methodbook' / 'molecules' / 'pretrained'

CARD = """# methodbook molecules encoder (shipped)

A small relational graph encoder (`MolEncoder`: RGCN, hidden {hidden}, {layers} layers, {readout} readout, {n_params:,} parameters,
{size_kb:.0f} kB safetensors, sha256 `{sha}`) over atoms **and functional-group nodes** (RDKit `fr_*` SMARTS + functional-group
hierarchy, {n_groups} group types), pretrained with methodbook's structure-aware contrastive objective.

Use it: `methodbook molecules embed my.csv --smiles-col smiles --out emb.csv` (the default model), or
`MolEncoder.load(methodbook.molecules.pretrained_path())` and `methodbook.molecules.embed_smiles(enc, smiles)`.

## Training

- **Data**: {data}. Featurized once into on-disk shards ({n_shards} shards; neighbours found within each shard).
- **Objective** (`MoleculePretrainConfig`): {cfg}.
  Two views per molecule (25 % node masking, 25 % bond deletion); positives are the other view, batch-mates at
  Tanimoto >= 0.7 and each anchor's 2 nearest batch-mates at Tanimoto >= 0.3; batches are groups of 4 fingerprint near
  neighbours; negatives weighted by 1 - Tanimoto.
- **Budget**: {steps} steps of batch {batch} = {seen:,} molecules seen = {epochs:.2f} epochs over the {n_graphs:,} molecules
  (planned: {total} steps = {planned:.1f} epochs; the run resumes, see `benchmarks/results/molecules.md`). AdamW, lr {lr}, cosine, 1 torch thread on a
  shared 2-core CPU.
- **At this checkpoint**: contrastive loss {loss} (mean of the last logged steps), {extra_pos} extra fingerprint positives per anchor.
- Command: `{command}`.

## Downstream

{downstream}

## Limits

Pretrained on drug-like MOSES molecules (ZINC-derived, 250-350 Da, no charged or metal-containing structures beyond
MOSES' filters); embeddings of very different chemistry (organometallics, peptides, polymers) are out of distribution.
The group vocabulary and atom features are tied to RDKit's shipped SMARTS: `MolEncoder.load` refuses the weights if
this RDKit builds a different vocabulary. License: Apache-2.0 (methodbook); MOSES data: MIT.
"""


def get_section(card: str, title: str) -> str | None:
    "The body of `## title` in the markdown `card` (up to the next `## ` heading), or None."
    lines = card.splitlines()
    if f'## {title}' not in lines:
        return None
    i = lines.index(f'## {title}') + 1
    j = next((k for k in range(i, len(lines)) if lines[k].startswith('## ')), len(lines))
    return '\n'.join(lines[i:j]).strip('\n')


def set_section(path, title: str, body: str):
    "Replace the body of `## title` in the card at `path` (the heading must exist)."
    path = Path(path)
    card = path.read_text()
    old = get_section(card, title)
    if old is None:
        raise SystemExit(f"{path}: no '## {title}' heading to rewrite")
    head, tail = card.split(f'## {title}\n', 1)
    path.write_text(head + f'## {title}\n\n' + body.strip('\n') + '\n\n' + tail[tail.index(old) + len(old) :].lstrip('\n'))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', default=None)
    ap.add_argument('--log', default=str(Path(__file__).parent / 'results' / 'molecules_pretrain.jsonl'))
    ap.add_argument('--out', default=str(PKG))
    ap.add_argument('--downstream', default=None, help="the card's Downstream section (default: the existing card's when the weights are unchanged)")
    a = ap.parse_args(argv)
    from methodbook.data import cache_dir
    from methodbook.molecules.encoder import MolEncoder

    run = Path(a.run) if a.run else cache_dir() / 'molecules' / 'moses_250000' / 'runs' / 'full'
    enc = MolEncoder.load(run / 'encoder')  # checks the vocabulary and the weights
    rows = [json.loads(l) for l in Path(a.log).read_text().splitlines() if l.startswith('{')] if Path(a.log).exists() else []
    last = next((r for r in reversed(rows) if r.get('event') == 'pretrain' and r.get('arm') == run.name), {})
    start = next((r for r in reversed(rows) if r.get('event') == 'start'), {})
    feat = next((r for r in reversed(rows) if r.get('event') == 'featurized'), {})
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    same = (out / 'model.safetensors').exists() and (out / 'model.safetensors').read_bytes() == (run / 'encoder' / 'model.safetensors').read_bytes()
    kept = get_section((out / 'README.md').read_text(), 'Downstream') if same and (out / 'README.md').exists() else None
    downstream = (
        a.downstream
        or kept
        or (
            'Not yet evaluated for this checkpoint at the time it was copied: run `benchmarks/molecules_downstream.py` with it,'
            ' then `benchmarks/molecules_downstream_report.py` writes this section.'
        )
    )
    for f in ('methodbook.json', 'model.safetensors'):
        shutil.copyfile(run / 'encoder' / f, out / f)
        (out / f).chmod(0o644)
    w = (out / 'model.safetensors').read_bytes()
    c, cfg = enc.cfg, last.get('cfg', {})
    card = CARD.format(
        hidden=c.hidden,
        layers=c.layers,
        readout=c.readout,
        n_params=sum(p.numel() for p in enc.parameters()),
        size_kb=len(w) / 1024,
        sha=hashlib.sha256(w).hexdigest()[:16],
        n_groups=len(json.loads((run / 'encoder' / 'methodbook.json').read_text()).get('extra', {}).get('group_names', [])),
        data=f"MOSES training set, a seeded random subset (seed 0) of {feat.get('n_smiles', '?'):,} SMILES" if feat else 'MOSES',
        n_shards=feat.get('n_shards', '?'),
        cfg=', '.join(f'{k}={v}' for k, v in cfg.items() if k != 'n_jobs'),
        steps=last.get('step', '?'),
        batch=cfg.get('batch_size', '?'),
        seen=last.get('molecules_seen', 0),
        epochs=last.get('epochs_done', 0),
        n_graphs=feat.get('n_graphs', 0),
        total=last.get('total_steps', '?'),
        planned=last.get('epochs_done', 0) * last.get('total_steps', 0) / max(1, last.get('step', 1)),
        lr=1e-3,
        loss=last.get('loss'),
        extra_pos=last.get('extra_pos'),
        command='python benchmarks/molecules_pretrain.py ' + ' '.join(start.get('argv', [])),
        downstream=downstream,
    )
    (out / 'README.md').write_text(card)
    print(f'copied {run / "encoder"} -> {out} ({len(w) / 1024:.0f} kB); step {last.get("step")}')


if __name__ == '__main__':
    main()
