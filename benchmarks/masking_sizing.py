"""Sizing runs for the masking experiment (issue 15): short trainings of candidate model sizes and learning rates on the
mixed corpus, each capped in wall time, logging seconds per step and the held-out masked loss at 15% (64 windows, fixed
masks) so we can see which setting leaves the unigram plateau (loss ~6.4 with the 4,000-piece vocabulary) and how many
steps a core affords.

    /work/tools/heavy python benchmarks/masking_sizing.py --seconds 90 [--configs NAME ...]

Rows (JSON lines) go to benchmarks/results/masking_sizing.jsonl, one per config, with the held-out curve.
"""

import argparse, json, os, time
import torch

torch.set_num_threads(1)
from methodbook.masking.pretrain import MaskingPretrainConfig, tiny_bert, mlm_step, make_collator
from methodbook.masking.experiment import experiment_data, heldout_eval

CONFIGS = {  # name: (hidden, layers, heads, max_len, batch, lr)
    'h64L2s64_lr1e-3': (64, 2, 2, 64, 32, 1e-3),
    'h64L2s64_lr5e-3': (64, 2, 2, 64, 32, 5e-3),
    'h128L2s128_lr1e-3': (128, 2, 2, 128, 16, 1e-3),
    'h128L4s128_lr1e-3': (128, 4, 4, 128, 16, 1e-3),
    'h128L2s64_lr1e-3': (128, 2, 2, 64, 32, 1e-3),
    'h128L4s64_lr2e-3': (128, 4, 4, 64, 32, 2e-3),
    'h128L2s64_lr2e-3': (128, 2, 2, 64, 32, 2e-3),
}


def run(name, seconds, warmup, eval_every, out):
    hidden, layers, heads, max_len, batch, lr = CONFIGS[name]
    base = MaskingPretrainConfig(corpus='mix', vocab_size=4000, max_len=max_len, hidden=hidden, layers=layers, heads=heads, batch_size=batch, ratio='0.15')
    t0 = time.time()
    data = experiment_data(base, 'runs/masking_experiment')  # reuses the saved tokenizer; writes nothing there
    prep = time.time() - t0
    model = tiny_bert(len(data['tok']), hidden, layers, heads, max_len, data['tok'].pad_token_id, seed=0)
    coll, _ = make_collator(base, data)
    ev = heldout_eval(data)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup))
    dl = torch.utils.data.DataLoader(data['train'], batch_size=batch, shuffle=True, drop_last=True, collate_fn=coll, generator=torch.Generator().manual_seed(0))
    curve, step, train_t, t = [(0, ev(model)['heldout_masked_loss'])], 0, 0.0, time.time()
    done = False
    while not done:
        for b in dl:
            model.train()
            s = time.time()
            b.pop('mask_ratio', None)
            loss, _ = mlm_step(model, b)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            train_t += time.time() - s
            step += 1
            if step % eval_every == 0:
                curve.append((step, ev(model)['heldout_masked_loss']))
                print(name, step, f"{curve[-1][1]:.3f}", f"{train_t / step:.4f} s/step", flush=True)
            if time.time() - t > seconds:
                done = True
                break
    row = {
        'config': name,
        'hidden': hidden,
        'layers': layers,
        'heads': heads,
        'max_len': max_len,
        'batch_size': batch,
        'lr': lr,
        'warmup': warmup,
        'steps': step,
        'tokens': step * batch * max_len,
        'sec_per_step': round(train_t / step, 4),
        'data_prep_s': round(prep, 1),
        'loadavg': os.getloadavg(),
        'curve': curve,
    }
    with open(out, 'a') as f:
        f.write(json.dumps(row) + '\n')
    print(json.dumps({k: v for k, v in row.items() if k != 'curve'}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seconds', type=float, default=90)
    ap.add_argument('--warmup', type=int, default=100)
    ap.add_argument('--eval-every', type=int, default=100)
    ap.add_argument('--configs', nargs='+', default=list(CONFIGS))
    ap.add_argument('--out', default='benchmarks/results/masking_sizing.jsonl')
    a = ap.parse_args()
    for c in a.configs:
        run(c, a.seconds, a.warmup, a.eval_every, a.out)


if __name__ == '__main__':
    main()
