"""Evolution vs random search (hypervolume, 5 seeds), constraint hit rate on measurable chips, time to specialise.

Goals (issue 7):
- evolution's hypervolume >= random search's at an equal number of evaluations, over 5 seeds;
- constraint hit rate 100%: every chosen structure, re-measured on a measurable chip, meets its budget;
- specialising to a new measurable chip (table build + search) in <= 2 minutes.

Setup: the cached 400-step sandwich supernet (`pretrained_supernet`, seed 0), inherited accuracy (BN recalibrated on 256
training images) of 300 random subnets -> MLP accuracy predictor; searches score with the predictor (as OFA does); the
chosen structures' real inherited accuracy is measured. OFA defaults population 100, parents 0.25, mutation prob 0.1,
mutation ratio 0.5; 10 generations (OFA: 500) -> 1,100 evaluations per search, random search gets the same 1,100.
Accuracy predictor: ridge regression on the one-hot arch encoding (see nbs/13_chips.search).
Hypervolume: area dominated in [0, budget] x [0, 1] by the feasible evaluated points (predicted accuracy).
Also multi-budget evolution (5 budgets spread up to the chip's, population 50, 3 generations = 1,000 evaluations)
against random search at the same 1,000.

    python benchmarks/chips_search.py [--seeds 0,1,2,3,4] [--generations 10]
"""

import argparse, json, platform, random, time
from pathlib import Path
import numpy as np
import torch
from methodbook.chips.supernet import SearchSpace, Arch
from methodbook.chips.data import digits_data
from methodbook.chips.train import pretrained_supernet, inherited_accuracy
from methodbook.chips.latency import CHIP_SPECS, ChipLatency, build_latency_table
from methodbook.chips.search import (
    AccuracyTable,
    AccuracyPredictor,
    Condition,
    Objective,
    evolutionary_search,
    random_search,
    multi_budget_evolution,
    hypervolume_2d,
    kendall_tau,
    performance_indices,
    select_target,
)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', default='0,1,2,3,4')
    ap.add_argument('--generations', type=int, default=10)
    ap.add_argument('--population', type=int, default=100)
    ap.add_argument('--n_acc', type=int, default=300)
    ap.add_argument('--chips', default='host-cpu-1t,raspberry-pi-5,coral-edge-tpu,jetson-orin-nano-8gb,host-cpu-2t')
    ap.add_argument('--margin', type=float, default=0.1, help='search host chips under budget*(1-margin)')
    ap.add_argument('--out', default='benchmarks/results/chips_search.json')
    ap.add_argument('--acc_table', default=None, help='JSON accuracy table to load (and save): skips re-measuring the 300 subnets')
    a = ap.parse_args()
    torch.set_num_threads(1)
    seeds = [int(s) for s in a.seeds.split(',')]
    sp, data = SearchSpace(), digits_data()
    t0 = time.time()
    sup = pretrained_supernet(sp, data, steps=400).model.eval()
    fn = lambda x: inherited_accuracy(sup, x, data, n_calib=256)
    acc = AccuracyTable.load(a.acc_table, fn) if a.acc_table and Path(a.acc_table).exists() else AccuracyTable(fn)
    n_loaded = len(acc)
    rng = random.Random(0)
    archs = list(dict.fromkeys([sp.largest(), sp.smallest()] + [sp.sample(rng) for _ in range(a.n_acc)]))
    accs = [acc(x) for x in archs]
    if a.acc_table:
        acc.save(a.acc_table)
    n_fit = int(0.8 * len(archs))
    pred_holdout = AccuracyPredictor(sp).fit(archs[:n_fit], accs[:n_fit])
    tau_pred = kendall_tau(pred_holdout.predict(archs[n_fit:]), accs[n_fit:])
    pred = AccuracyPredictor(sp).fit(archs, accs)
    out = dict(
        machine=f"{platform.machine()}, nproc={__import__('os').cpu_count()} (shared)",
        torch=torch.__version__,
        seeds=seeds,
        population=a.population,
        generations=a.generations,
        n_acc=len(archs),
        predictor_tau_holdout=tau_pred,
        accuracy_range=[min(accs), max(accs)],
        acc_table_loaded=n_loaded,
        setup_s=round(time.time() - t0, 1),
        chips={},
    )
    print(f"setup {out['setup_s']}s, predictor tau (held-out {len(archs) - n_fit}) {tau_pred:.3f}")
    chips = a.chips.split(',')
    for name in chips:
        chip = CHIP_SPECS[name]
        t_spec = time.time()
        tab = build_latency_table(chip, sp) if chip.kind == 'host' else None
        lat = ChipLatency(chip, sp, tab)
        t_table = time.time() - t_spec
        budget = float(np.median([lat(sp.sample(random.Random(10_000 + i))) for i in range(100)]))
        margin = a.margin if chip.kind == 'host' else 0.0
        obj = Objective(chip, lat, sp, Condition(latency_ms=budget * (1 - margin)))
        rows = []
        for s in seeds:
            t1 = time.time()
            ev = evolutionary_search(sp, pred, obj, population=a.population, generations=a.generations, seed=s)
            t_search = time.time() - t1
            rs = random_search(sp, pred, obj, n_evals=ev.n_evals, seed=s)
            mb = multi_budget_evolution(sp, pred, obj, n_budgets=5, population=50, generations=3, seed=s)
            rs_mb = random_search(sp, pred, obj, n_evals=mb.n_evals, seed=1000 + s)
            hv = {r.method: hypervolume_2d([lat(x) for x in r.unique()], list(r.unique().values()), budget) for r in (ev, rs)}
            hv_mb = {k: hypervolume_2d([lat(x) for x in r.unique()], list(r.unique().values()), budget) for k, r in (('mb', mb), ('random', rs_mb))}
            t2 = time.time()
            top = {}
            for r in (ev, rs):
                cands = [x for x, _ in sorted(r.unique().items(), key=lambda t: -t[1])[:10]]
                top[r.method] = select_target(performance_indices(sp, cands, acc, {name: lat}), obj)
            t_real = time.time() - t2
            row = dict(
                seed=s,
                n_evals=ev.n_evals,
                hv_evolution=hv['evolution'],
                hv_random=hv['random'],
                n_evals_mb=mb.n_evals,
                hv_multi_budget=hv_mb['mb'],
                hv_random_mb=hv_mb['random'],
                acc_evolution=top['evolution']['accuracy'],
                acc_random=top['random']['accuracy'],
                lat_pred_evolution=top['evolution']['latency_ms'][name],
                search_s=round(t_search, 1),
                real_eval_s=round(t_real, 1),
            )
            if chip.kind == 'host':
                arch = Arch.from_dict(top['evolution']['arch'])
                m = [lat.measure(arch) for _ in range(3)]
                row['measured_ms'] = float(np.median(m))
                row['hit'] = row['measured_ms'] <= budget
                if s == seeds[0]:
                    row['specialize_s'] = round(t_table + t_search + t_real, 1)
            rows.append(row)
            print(name, json.dumps(row), flush=True)
        hv_e, hv_r = np.array([r['hv_evolution'] for r in rows]), np.array([r['hv_random'] for r in rows])
        out['chips'][name] = dict(
            kind=chip.kind,
            budget_ms=budget,
            search_budget_ms=budget * (1 - margin),
            table_build_s=round(t_table, 1),
            runs=rows,
            hv_evolution_mean=float(hv_e.mean()),
            hv_evolution_std=float(hv_e.std()),
            hv_random_mean=float(hv_r.mean()),
            hv_random_std=float(hv_r.std()),
            evo_ge_random_seeds=int((hv_e >= hv_r).sum()),
            hv_multi_budget_mean=float(np.mean([r['hv_multi_budget'] for r in rows])),
            hv_random_mb_mean=float(np.mean([r['hv_random_mb'] for r in rows])),
            mb_ge_random_seeds=int(sum(r['hv_multi_budget'] >= r['hv_random_mb'] for r in rows)),
            acc_evolution_mean=float(np.mean([r['acc_evolution'] for r in rows])),
            acc_random_mean=float(np.mean([r['acc_random'] for r in rows])),
            hit_rate=(float(np.mean([r['hit'] for r in rows])) if chip.kind == 'host' else None),
        )
        print(name, {k: v for k, v in out['chips'][name].items() if k != 'runs'}, flush=True)
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(out, indent=1))
    out['total_s'] = round(time.time() - t0, 1)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
