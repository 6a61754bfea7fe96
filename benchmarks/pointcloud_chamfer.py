"""Chamfer distance: chunked baddbmm (methodbook.pointcloud.losses.chamfer_distance) vs unchunked torch.cdist.

    python benchmarks/pointcloud_chamfer.py [--B 32] [--N 2048] [--chunk 64] [--rounds 5] [--threads 1]

Time: forward (no grad) and forward+backward, the methods interleaved round by round so a noisy shared machine
hurts both alike; median and min over rounds, ratio from the same run.
Memory: (1) the largest intermediate, computed analytically; (2) the increase of the process's peak RSS
(VmHWM in /proc/self/status) while the method runs once, each method in its own fresh subprocess, since
tracemalloc does not see torch's allocations. (Not `resource.getrusage().ru_maxrss`: Linux carries it across
fork+exec, so a child of a large parent starts with the parent's peak and shows no increase.)
"""
import argparse, json, statistics, subprocess, sys, time
import torch


def cdist_chamfer(a, b):
    "Baseline: the full (B, N, M) matrix of Euclidean distances from torch.cdist, squared to match the default convention."
    d = torch.cdist(a, b) ** 2
    return d.min(2).values.mean(1) + d.min(1).values.mean(1)


def chunked_chamfer(a, b, chunk):
    from methodbook.pointcloud.losses import chamfer_distance
    return chamfer_distance(a, b, squared=True, chunk=chunk)


def inputs(B, N, seed=0, grad=False):
    g = torch.Generator().manual_seed(seed)
    a, b = torch.rand(B, N, 3, generator=g) * 2 - 1, torch.rand(B, N, 3, generator=g) * 2 - 1
    return a.requires_grad_(grad), b


def run_once(method, B, N, chunk, grad):
    a, b = inputs(B, N, grad=grad)
    ctx = torch.enable_grad() if grad else torch.no_grad()
    with ctx:
        out = cdist_chamfer(a, b) if method == 'cdist' else chunked_chamfer(a, b, chunk)
        if grad: out.sum().backward()
    return out.detach()


def peak_rss_mib():
    "This process's peak resident set size (VmHWM), MiB."
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'): return int(line.split()[1]) / 1024
    raise RuntimeError('VmHWM not found in /proc/self/status (Linux only)')


def child(method, B, N, chunk, grad, threads):
    "In a fresh process: peak-RSS increase of one call, in MiB."
    torch.set_num_threads(threads)
    run_once(method, 2, 64, chunk, grad)                       # warm up torch's allocator and kernels, tiny
    a, b = inputs(B, N, grad=grad)                               # inputs exist before the baseline reading
    before = peak_rss_mib()
    run_once(method, B, N, chunk, grad)
    print(json.dumps({'rss_increase_mib': peak_rss_mib() - before}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--B', type=int, default=32); p.add_argument('--N', type=int, default=2048)
    p.add_argument('--chunk', type=int, default=64); p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--child', nargs=2, metavar=('METHOD', 'GRAD'))
    args = p.parse_args()
    if args.child: return child(args.child[0], args.B, args.N, args.chunk, args.child[1] == '1', args.threads)
    torch.set_num_threads(args.threads)
    B, N, chunk = args.B, args.N, args.chunk

    a, b = inputs(B, N)
    with torch.no_grad():
        ref, got = cdist_chamfer(a, b), chunked_chamfer(a, b, chunk)
    err = ((got - ref).abs() / ref).max().item()

    rss = {}
    for key in [(m, g) for m in ('cdist', 'chunked') for g in (False, True)]:
        out = subprocess.run([sys.executable, __file__, '--B', str(B), '--N', str(N), '--chunk', str(chunk),
                              '--threads', str(args.threads), '--child', key[0], '1' if key[1] else '0'],
                             capture_output=True, text=True, check=True)
        rss[key] = json.loads(out.stdout.strip().splitlines()[-1])['rss_increase_mib']

    times = {(m, g): [] for m in ('cdist', 'chunked') for g in (False, True)}
    for _ in range(args.rounds):
        for key in times:
            t = time.perf_counter(); run_once(key[0], B, N, chunk, key[1]); times[key].append(time.perf_counter() - t)

    mib = lambda n_floats: n_floats * 4 / 2**20
    analytic = {'cdist': mib(B * N * N), 'chunked': mib(B * chunk * N)}
    print(f"# Chamfer at B={B}, N=M={N}, float32, {args.threads} thread(s), chunk={chunk}, {args.rounds} interleaved rounds")
    print(f"max relative difference chunked vs cdist: {err:.2e}\n")
    print("| method | pass | median s | min s | largest intermediate (MiB, analytic) | peak RSS increase (MiB, subprocess) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (m, g), ts in times.items():
        print(f"| {m} | {'fwd+bwd' if g else 'fwd'} | {statistics.median(ts):.3f} | {min(ts):.3f} | {analytic[m]:.0f} | {rss[(m, g)]:.0f} |")
    for g in (False, True):
        r = statistics.median(times[('cdist', g)]) / statistics.median(times[('chunked', g)])
        rm = min(times[('cdist', g)]) / min(times[('chunked', g)])
        print(f"\nspeed-up chunked over cdist, {'fwd+bwd' if g else 'fwd'}: {r:.2f}x (medians), {rm:.2f}x (minima)", end='')
    print()


if __name__ == '__main__':
    main()
