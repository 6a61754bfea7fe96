"""Exported chip models stand alone: reloaded in a fresh Python with plain PyTorch (no methodbook import) and fed raw pixels,
they score what the supernet's subnet scores; the same subnet fed raw pixels without the saved normalisation does not.

Setup: the cached 400-step sandwich supernet on hard digits (`pretrained_supernet()` defaults), the largest, smallest and
3 random subnets exported with `export_model` (BatchNorm recalibrated on 512 training images); the validation images are
written as raw [0, 1] pixels to .npy, and a subprocess that imports only torch and numpy loads model.torchscript.pt and
scores them.

    python benchmarks/chips_export.py [--steps 400] [--data digits|digits-clean]
"""

import argparse, json, os, platform, random, subprocess, sys, tempfile, textwrap, time
from pathlib import Path
import numpy as np
import torch
from methodbook.chips.supernet import SearchSpace, extract_subnet
from methodbook.chips.data import load_image_data
from methodbook.chips.train import pretrained_supernet, recalibrate_bn, accuracy
from methodbook.chips.export import export_model

PLAIN = textwrap.dedent('''
    import sys, json, numpy as np, torch
    m = torch.jit.load(sys.argv[1]); x = torch.from_numpy(np.load(sys.argv[2])); y = torch.from_numpy(np.load(sys.argv[3]))
    with torch.no_grad(): acc = (m(x).argmax(-1) == y).float().mean().item()
    assert not any(k.startswith('methodbook') for k in sys.modules)
    print(json.dumps({'accuracy': acc, 'classes': m.class_names, 'input_size': m.input_size}))
''')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=400)
    ap.add_argument('--data', default='digits')
    a = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    data = load_image_data(a.data, 16)
    sp = SearchSpace()
    sup = pretrained_supernet(sp, data, steps=a.steps).model.eval()
    rng = random.Random(0)
    archs = [sp.largest(), sp.smallest()] + [sp.sample(rng) for _ in range(3)]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        raw = data.raw(data.x_val)
        np.save(d / 'x.npy', raw.numpy())
        np.save(d / 'y.npy', data.y_val.numpy())
        for i, arch in enumerate(archs):
            export_model(sup, arch, data, d / f'm{i}', chip='benchmark')
            net = recalibrate_bn(extract_subnet(sup, arch), data.x_train[:512])
            out = subprocess.run(
                [sys.executable, '-c', PLAIN, str(d / f'm{i}' / 'model.torchscript.pt'), str(d / 'x.npy'), str(d / 'y.npy')],
                capture_output=True,
                text=True,
                cwd=d,
                check=True,
            )
            plain = json.loads(out.stdout.strip().splitlines()[-1])['accuracy']
            rows.append(
                dict(
                    arch=str(arch),
                    subnet_standardised=accuracy(net, data.x_val, data.y_val),
                    torchscript_plain_pytorch_raw=plain,
                    subnet_raw_without_normalisation=accuracy(net, raw, data.y_val),
                )
            )
            print(rows[-1])
    res = dict(
        machine=f"{platform.machine()}, nproc={os.cpu_count()} (shared)",
        torch=torch.__version__,
        data=data.name,
        steps=a.steps,
        mean=data.mean,
        std=data.std,
        rows=rows,
        seconds=round(time.time() - t0, 1),
    )
    out = Path(__file__).parent / 'results' / 'chips_export.json'
    out.write_text(json.dumps(res, indent=1))
    print(f"-> {out}")


if __name__ == '__main__':
    main()
