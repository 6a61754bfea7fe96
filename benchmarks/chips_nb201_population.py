"""One more idea for the missed regret goal (issue 13): OFA-style evolution at 300 evaluations with population 100
instead of the default 50 (`run_search` uses max(10, min(100, n//6))), 20 seeds, every device and budget (q25/q50/q75).

    nice -n 10 python benchmarks/chips_nb201_population.py      # ~5 min; writes benchmarks/results/chips_nb201_population.json
"""

import numpy as np, time, json
from methodbook.chips.nb201 import load_nb201
from methodbook.chips.devices import EvalBudget, BudgetSpent, median_ci
from methodbook.chips.search import Objective, Condition, evolutionary_search
from methodbook.chips.latency import ChipLatency

sp = load_nb201()
t0 = time.time()
out = {}
for dev in sp.chips:
    chip = sp.chips[dev]
    for q in (25, 50, 75):
        obj = Objective(chip, ChipLatency(chip, sp), sp, Condition(latency_ms=sp.budget(chip, q)))
        _, orc = sp.oracle(chip, sp.budget(chip, q))
        for pop in (50, 100):
            regs = []
            for seed in range(20):
                f = EvalBudget(sp.true_accuracy, 300)
                try:
                    evolutionary_search(sp, f, obj, population=pop, generations=900, seed=seed)
                except BudgetSpent:
                    pass
                regs.append(100 * (orc - max(a for c, a in f.table.items() if obj.feasible(c))))
            out[f'{dev} q{q} pop{pop}'] = median_ci(regs)
        print(dev, q, out[f'{dev} q{q} pop50'][0], out[f'{dev} q{q} pop100'][0], f'{time.time() - t0:.0f}s', flush=True)
json.dump(out, open('benchmarks/results/chips_nb201_population.json', 'w'), indent=1)
for pop in (50, 100):
    m = [v[0] for k, v in out.items() if k.endswith(f'pop{pop}')]
    print('pop', pop, 'device-budgets with median regret <= 0.3:', sum(x <= 0.3 for x in m), 'of', len(m), 'pooled median', np.median(m))
