"""A tiny training run used by the tests: single process, or under `torchrun` for DDP.

python tests/train_script.py RUN_DIR [--kill-at N] [--resume] [--steps N] [--stop-at N --stop-rank R]
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
p.add_argument('--stop-at', type=int, default=0)  # eval_fn of rank --stop-rank asks to stop from this step on
p.add_argument('--stop-rank', type=int, default=0)
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


rank = int(os.environ.get('RANK', 0))


def eval_fn(m):
    return {'stop': bool(a.stop_at) and rank == a.stop_rank and eval_fn.step >= a.stop_at}


def on_step_eval(s, m):
    eval_fn.step = s
    on_step(s, m)


eval_fn.step = 0
cfg = TrainConfig(max_steps=a.steps, lr=2e-2, ckpt_every=10, progress=False, scheduler='cosine', warmup_steps=3, eval_every=5 if a.stop_at else 0)
res = fit(
    model,
    DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True),
    step,
    cfg,
    run_dir=a.run_dir,
    resume=a.resume,
    on_step=on_step_eval,
    eval_fn=eval_fn if a.stop_at else None,
)
torch.save(res.model.state_dict(), os.path.join(a.run_dir, f'params_rank{rank}.pt'))
with open(os.path.join(a.run_dir, f'losses_rank{rank}.json'), 'w') as f:
    json.dump(res.losses, f)
with open(os.path.join(a.run_dir, f'result_rank{rank}.json'), 'w') as f:
    json.dump({'step': res.step, 'stopped': res.stopped}, f)
