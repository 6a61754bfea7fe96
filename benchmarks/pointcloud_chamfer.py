"""Chamfer distance on the CPU: KD-tree neighbours + direct differences (the default, methodbook.pointcloud.losses.
chamfer_distance) vs the chunked baddbmm brute force (method='brute', the GPU path) vs unchunked torch.cdist.

    python benchmarks/pointcloud_chamfer.py [--shapes 16x2048 1x16384] [--chunk 64] [--rounds 3] [--threads 1]

Time: forward (no grad) and forward+backward (gradient w.r.t. the first cloud), methods interleaved round by round
so a noisy shared machine hurts all alike; median and min over rounds, ratios from the same run.
Memory: the increase of the process's peak RSS (VmHWM in /proc/self/status) while the method runs once, each
method and pass in its own fresh subprocess (tracemalloc does not see torch's allocations; `ru_maxrss` is
inherited across fork+exec).
Accuracy: relative error against float64 brute force, on the origin-centred inputs and on the same inputs shifted
by 100 (the expansion ||a||^2 - 2ab + ||b||^2 cancels there in float32).
On a GPU the brute force is the path to use; PyTorch3D's `knn_points` is the anchor to compare it with there.
"""

import argparse, json, statistics, subprocess, sys, time
import torch

METHODS = ('cdist', 'brute', 'kdtree')


def cdist_chamfer(a, b):
    "Baseline: the full (B, N, M) matrix of Euclidean distances from torch.cdist, squared to match the default convention."
    d = torch.cdist(a, b) ** 2
    return d.min(2).values.mean(1) + d.min(1).values.mean(1)


def chamfer(method, a, b, chunk):
    if method == 'cdist':
        return cdist_chamfer(a, b)
    from methodbook.pointcloud.losses import chamfer_distance

    return chamfer_distance(a, b, squared=True, chunk=chunk, method=method, workers=torch.get_num_threads())


def inputs(B, N, seed=0, grad=False, offset=0.0):
    g = torch.Generator().manual_seed(seed)
    a, b = torch.rand(B, N, 3, generator=g) * 2 - 1 + offset, torch.rand(B, N, 3, generator=g) * 2 - 1 + offset
    return a.requires_grad_(grad), b


def run_once(method, B, N, chunk, grad):
    a, b = inputs(B, N, grad=grad)
    with torch.enable_grad() if grad else torch.no_grad():
        out = chamfer(method, a, b, chunk)
        if grad:
            out.sum().backward()
    return out.detach()


def peak_rss_mib():
    "This process's peak resident set size (VmHWM), MiB."
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
    raise RuntimeError('VmHWM not found in /proc/self/status (Linux only)')


def child(method, B, N, chunk, grad, threads):
    "In a fresh process: peak-RSS increase of one call, in MiB."
    torch.set_num_threads(threads)
    run_once(method, 2, 64, chunk, grad)  # warm up torch's allocator and kernels, tiny
    a, b = inputs(B, N, grad=grad)  # inputs exist before the baseline reading
    before = peak_rss_mib()
    run_once(method, B, N, chunk, grad)
    print(json.dumps({'rss_increase_mib': peak_rss_mib() - before}))


def rel_errors(B, N, chunk):
    "Max relative error of each method against float64 brute force (through cdist in float64), at offset 0 and 100."
    out = {}
    for off in (0.0, 100.0):
        a, b = inputs(min(B, 4), min(N, 2048), offset=off)
        with torch.no_grad():
            ref = cdist_chamfer(a.double(), b.double())
            for m in METHODS:
                out[(m, off)] = ((chamfer(m, a, b, chunk).double() - ref).abs() / ref).max().item()
    return out


def bench(B, N, args):
    rss = {}
    for key in [(m, g) for m in METHODS for g in (False, True)]:
        res = subprocess.run(
            [sys.executable, __file__, '--chunk', str(args.chunk), '--threads', str(args.threads), '--child', key[0], '1' if key[1] else '0', f'{B}x{N}'],
            capture_output=True,
            text=True,
            check=True,
        )
        rss[key] = json.loads(res.stdout.strip().splitlines()[-1])['rss_increase_mib']
    times = {(m, g): [] for m in METHODS for g in (False, True)}
    for key in times:
        run_once(key[0], 2, 64, args.chunk, key[1])  # warm up: imports, kernels
    for _ in range(args.rounds):
        for key in times:
            t = time.perf_counter()
            run_once(key[0], B, N, args.chunk, key[1])
            times[key].append(time.perf_counter() - t)
    err = rel_errors(B, N, args.chunk)
    print(f"\n## B={B}, N=M={N}, float32, {args.threads} thread(s), chunk={args.chunk}, {args.rounds} interleaved rounds\n")
    print("| method | pass | median s | min s | peak RSS increase (MiB) | rel. error at 0 | rel. error at offset 100 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (m, g), ts in times.items():
        print(
            f"| {m} | {'fwd+bwd' if g else 'fwd'} | {statistics.median(ts):.3f} | {min(ts):.3f} | {rss[(m, g)]:.0f} | "
            f"{err[(m, 0.0)]:.1e} | {err[(m, 100.0)]:.1e} |"
        )
    print()
    for m in ('brute', 'kdtree'):
        for g in (False, True):
            r = statistics.median(times[('cdist', g)]) / statistics.median(times[(m, g)])
            rm = min(times[('cdist', g)]) / min(times[(m, g)])
            print(f"- {m} over cdist, {'fwd+bwd' if g else 'fwd'}: {r:.1f}x (medians), {rm:.1f}x (minima)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--shapes', nargs='+', default=['16x2048', '1x16384'], help='BxN pairs')
    p.add_argument('--chunk', type=int, default=64)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--child', nargs=3, metavar=('METHOD', 'GRAD', 'BxN'))
    args = p.parse_args()
    if args.child:
        B, N = map(int, args.child[2].split('x'))
        return child(args.child[0], B, N, args.chunk, args.child[1] == '1', args.threads)
    torch.set_num_threads(args.threads)
    import scipy

    print(f"# Chamfer distance, CPU. torch {torch.__version__}, scipy {scipy.__version__}")
    for s in args.shapes:
        bench(*map(int, s.split('x')), args)


if __name__ == '__main__':
    main()
