#!/usr/bin/env python3
"""The plain-product rate that a mini-batch workload's products reach in numpy and in PyTorch
on this machine: the GEMMs of one training step (forward `W[l] A[l-1]`, `dW[l] = dZ[l] A[l-1]^T`,
`dA[l-1] = W[l]^T dZ[l]` for l >= 2), each as a product of contiguous arrays into a
preallocated output, timed alone (best of several repeats), summed.

    python benches/reference/gemm_rate.py --data DIR --report rates.json

The report has, per workload and dtype, each library's GFLOP/s over one step's products and
the kernels it ran (numpy's BLAS through threadpoolctl, PyTorch's BLAS and CPU capability).
"""

import argparse
import json
import os
import time

import numpy as np

try:
    import torch
except ImportError:  # numpy alone still gives a rate
    torch = None


def step_products(layers, k):
    """(rows, inner, cols) of every product of one training step on a batch of k."""
    out = []
    for l in range(1, len(layers)):
        out.append((layers[l], layers[l - 1], k))  # forward
        out.append((layers[l], k, layers[l - 1]))  # dW
        if l >= 2:
            out.append((layers[l - 1], layers[l], k))  # dA
    return out


def best_time(run, budget=0.15, repeats=5):
    run()
    start = time.perf_counter()
    run()
    once = max(time.perf_counter() - start, 1e-7)
    inner = max(1, int(budget / once / repeats))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            run()
        best = min(best, (time.perf_counter() - start) / inner)
    return best


def numpy_rate(products, dtype):
    total_flops, total_time = 0.0, 0.0
    rng = np.random.default_rng(0)
    for rows, inner, cols in products:
        a = rng.standard_normal((rows, inner)).astype(dtype)
        b = rng.standard_normal((inner, cols)).astype(dtype)
        c = np.empty((rows, cols), dtype)
        total_time += best_time(lambda: np.matmul(a, b, out=c))
        total_flops += 2.0 * rows * inner * cols
    return total_flops / total_time / 1e9


def torch_rate(products, dtype):
    total_flops, total_time = 0.0, 0.0
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    for rows, inner, cols in products:
        a = torch.randn(rows, inner, dtype=tdtype)
        b = torch.randn(inner, cols, dtype=tdtype)
        c = torch.empty(rows, cols, dtype=tdtype)
        total_time += best_time(lambda: torch.mm(a, b, out=c))
        total_flops += 2.0 * rows * inner * cols
    return total_flops / total_time / 1e9


def numpy_kernels():
    try:
        from threadpoolctl import threadpool_info

        blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if blas:
            b = blas[0]
            return "{} {} {} ({} threads)".format(
                b.get("internal_api"), b.get("version"), b.get("architecture"), b.get("num_threads")
            )
    except ImportError:
        pass
    return "numpy " + np.__version__


def torch_kernels():
    config = torch.__config__.show()
    blas = "MKL" if "Math Kernel Library" in config else "BLAS"
    for line in config.splitlines():
        if "Math Kernel Library Version" in line:
            blas = "MKL " + line.split("Version")[1].split("-")[0].strip()
    capability = torch.backends.cpu.get_cpu_capability()
    # MKL picks its own instructions, which only MKL_ENABLE_INSTRUCTIONS caps (ATen's
    # capability above is PyTorch's own kernels, capped by ATEN_CPU_CAPABILITY).
    cap = os.environ.get("MKL_ENABLE_INSTRUCTIONS")
    capped = ", MKL_ENABLE_INSTRUCTIONS={}".format(cap) if cap and blas.startswith("MKL") else ""
    return "{} {}{} ({} threads)".format(blas, capability, capped, torch.get_num_threads())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="the directory with NAME.json set-ups")
    parser.add_argument("--report", required=True)
    args = parser.parse_args()
    out = {"numpy_kernels": numpy_kernels(), "torch_kernels": torch_kernels() if torch else None, "rates": []}
    for name in sorted(f[:-5] for f in os.listdir(args.data) if f.endswith(".json")):
        with open(os.path.join(args.data, name + ".json")) as f:
            spec = json.load(f)
        products = step_products(spec["layers"], spec["batch_size"])
        for dtype, label in ((np.float32, "f32"), (np.float64, "f64")):
            entry = {"workload": name, "dtype": label, "numpy": numpy_rate(products, dtype)}
            if torch:
                entry["pytorch"] = torch_rate(products, dtype)
            out["rates"].append(entry)
            print(entry)
    with open(args.report, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
