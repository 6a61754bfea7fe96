"""A tiny training run used by the tests: single process, or under `torchrun` for DDP.

python tests/train_script.py RUN_DIR [--kill-at N] [--resume] [--steps N]
Writes RUN_DIR/params_rank{R}.pt (final parameters) and RUN_DIR/losses_rank{R}.json.
"""

import argparse, json, os, signal
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
from methodbook.train import TrainConfig, fit

p = argparse.ArgumentParser()
p.add_argument('run_dir')
p.add_argument('--kill-at', type=int, default=0)
p.add_argument('--resume', action='store_true')
p.add_argument('--steps', type=int, default=40)
a = p.parse_args()

g = torch.Generator().manual_seed(0)
X = torch.randn(512, 8, generator=g)
y = X @ torch.linspace(-1, 1, 8) + 0.05 * torch.randn(512, generator=g)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 1))


def step(m, b):
    x, t = b
    return nn.functional.mse_loss(m(x).squeeze(-1), t)


def on_step(s, m):
    if a.kill_at and s == a.kill_at:
        os.kill(os.getpid(), signal.SIGKILL)  # a real, uncatchable kill


cfg = TrainConfig(max_steps=a.steps, lr=2e-2, ckpt_every=10, progress=False, scheduler='cosine', warmup_steps=3)
res = fit(model, DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True), step, cfg, run_dir=a.run_dir, resume=a.resume, on_step=on_step)
rank = int(os.environ.get('RANK', 0))
torch.save(res.model.state_dict(), os.path.join(a.run_dir, f'params_rank{rank}.pt'))
with open(os.path.join(a.run_dir, f'losses_rank{rank}.json'), 'w') as f:
    json.dump(res.losses, f)
