#!/usr/bin/env python3
"""Generate xtask/expected/repro.json: the reference numbers `cargo xtask repro` checks against.

The numbers come from numpy, never from the Rust `dnn` binary: this script is a faithful copy of
the math of the numpy exercises ("Building your Deep Neural Network: Step by Step" and its
application, and the logistic-regression exercise), run on the cat/non-cat data; gen_planar.py
adds the flower chapter and gen_toy.py the "Optimization methods" moons runs (gd, momentum, Adam).

Run `cargo xtask regen`, or by hand in a venv with the pinned packages of xtask/requirements.txt
(the data comes from `cargo xtask fetch-data`):

    python3 xtask/expected/gen_repro.py [--data DATA_DIR] [--out DIR] [--jobs N]

It writes DIR/repro.json (default: xtask/expected/, where it is committed).

Threads, and where the time goes. The cat trainings are large matrix products, and OpenBLAS's
threaded and single-threaded code round differently: the committed deep and logistic costs were
computed with numpy's OpenBLAS on two threads, and one thread changes their last bits. So they
run here, one after the other, with OpenBLAS held to exactly two threads. Everything else (the
two-layer cat training, whose bits do not depend on the thread count, and the flower and moons
trainings, small matrices) runs afterwards in --jobs worker processes with one BLAS thread each:
on a busy machine OpenBLAS's spinning threads slow small products several times over. The same
numbers on another x86-64 CPU also need OpenBLAS to pick the same kernels (the committed file
comes from its SkylakeX, AVX-512, kernels).
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import re
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import gen_planar
import gen_toy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


# ----------------------------------------------------------------------------- building blocks
# The exercise's functions live once, in the numpy reference that `cargo xtask bench` also runs.
sys.path.insert(0, os.path.join(ROOT, "benches", "reference"))
from numpy_cat import (  # noqa: E402
    L_model_backward as l_model_backward,
    L_model_forward as l_model_forward,
    compute_cost,
    linear_activation_backward,
    linear_activation_forward,
    load_data,
    update_parameters,
)


def accuracy(AL, Y):
    predictions = (AL > 0.5).astype(float)
    return float(np.mean(predictions == Y))


def should_record(i, iterations):
    return i % 100 == 0 or i == iterations - 1


# ----------------------------------------------------------------------------- models

def l_layer_model(X, Y, layers_dims, learning_rate, num_iterations):
    """The exercise's L_layer_model with initialize_parameters_deep (randn / sqrt(n[l-1]))."""
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W%d" % l] = np.random.randn(layers_dims[l], layers_dims[l - 1]) / np.sqrt(layers_dims[l - 1])
        parameters["b%d" % l] = np.zeros((layers_dims[l], 1))
    costs = []
    for i in range(num_iterations):
        AL, caches = l_model_forward(X, parameters)
        cost = float(compute_cost(AL, Y))
        grads = l_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if should_record(i, num_iterations):
            costs.append([i, cost])
    return parameters, costs


def two_layer_model(X, Y, layers_dims, learning_rate, num_iterations):
    """The exercise's two_layer_model: LINEAR -> RELU -> LINEAR -> SIGMOID, W = randn * 0.01."""
    n_x, n_h, n_y = layers_dims
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
        cost = float(compute_cost(A2, Y))
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        W1 = W1 - learning_rate * dW1
        b1 = b1 - learning_rate * db1
        W2 = W2 - learning_rate * dW2
        b2 = b2 - learning_rate * db2
        if should_record(i, num_iterations):
            costs.append([i, cost])
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, costs


def logistic_model(X, Y, learning_rate, num_iterations):
    """The logistic-regression exercise: w = 0, b = 0, A = sigmoid(w.T X + b)."""
    w = np.zeros((X.shape[0], 1))
    b = 0.
    m = X.shape[1]
    costs = []
    for i in range(num_iterations):
        A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
        cost = float(np.squeeze(-1. / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))))
        dw = 1. / m * np.dot(X, (A - Y).T)
        db = 1. / m * np.sum(A - Y)
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if should_record(i, num_iterations):
            costs.append([i, cost])
    return {"W1": w.T, "b1": np.array([[b]])}, costs


# ----------------------------------------------------------------------------- main

SETUPS = [
    # name, dnn --arch value, layers, learning rate, iterations, init description
    ("deep", "deep", [12288, 20, 7, 5, 1], 0.0075, 2500, "randn / sqrt(n[l-1]), seed 1"),
    ("two-layer", "two-layer", [12288, 7, 1], 0.0075, 2500, "randn * 0.01, seed 1"),
    ("logistic", "logistic", [12288, 1], 0.005, 2000, "zeros"),
]


# The cat set-ups whose numbers depend on OpenBLAS's thread count (see the module doc).
BLAS_THREADS = 2
NEEDS_TWO_BLAS_THREADS = ("deep", "logistic")


def log(text):
    print(text, file=sys.stderr, flush=True)


def cat_entry(name, data_dir):
    """Trains one cat set-up on the data in data_dir; returns its entry."""
    _, arch, layers, lr, iterations, init = next(s for s in SETUPS if s[0] == name)
    train_x, train_y, test_x, test_y = load_data(data_dir)
    log("training %s %s (lr %g, %d iterations)..." % (name, layers, lr, iterations))
    started = time.perf_counter()
    if arch == "deep":
        params, costs = l_layer_model(train_x, train_y, layers, lr, iterations)
    elif arch == "two-layer":
        params, costs = two_layer_model(train_x, train_y, layers, lr, iterations)
    else:
        params, costs = logistic_model(train_x, train_y, lr, iterations)
    train_acc = accuracy(l_model_forward(train_x, params)[0], train_y)
    test_acc = accuracy(l_model_forward(test_x, params)[0], test_y)
    log("  %s: cost[0] %.6f  cost[%d] %.6f  train %.6f  test %.6f (%.1f s)"
        % (name, costs[0][1], costs[-2][0], costs[-2][1], train_acc, test_acc, time.perf_counter() - started))
    return {
        "name": name,
        "kind": "cat",
        "args": ["--arch", arch],
        "layers": layers,
        "learning_rate": lr,
        "iterations": iterations,
        "init": init,
        "costs": costs,
        "train_accuracy": train_acc,
        "test_accuracy": test_acc,
    }


def cat_entry_on_blas_threads(name, data_dir):
    """cat_entry with OpenBLAS on exactly BLAS_THREADS threads."""
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        threads = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        if set(threads) != {BLAS_THREADS}:
            sys.exit("numpy's BLAS runs on %s threads, not %d: the %s costs would not be the committed ones"
                     % (threads, BLAS_THREADS, name))
        return cat_entry(name, data_dir)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(ROOT, "data"), help="directory with the two .h5 files")
    parser.add_argument("--out", default=HERE, help="directory to write repro.json in (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes for the small trainings (default: the CPUs, %(default)s)")
    parser.add_argument("--only", choices=[s[0] for s in SETUPS],
                        help="run only this cat set-up and print its numbers (writes nothing)")
    args = parser.parse_args()

    if args.only:
        cat_entry_on_blas_threads(args.only, args.data)
        return
    started = time.perf_counter()
    cat = {name: cat_entry_on_blas_threads(name, args.data) for name in NEEDS_TWO_BLAS_THREADS}
    log("%s on %d BLAS threads: %.1f s" % (" and ".join(NEEDS_TWO_BLAS_THREADS), BLAS_THREADS, time.perf_counter() - started))
    started = time.perf_counter()
    # Workers are fresh interpreters ("spawn") that read this before numpy starts OpenBLAS.
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs),
                                                  mp_context=multiprocessing.get_context("spawn"))
    with pool:
        # Longest first: the two-layer cat training, then the flower and moons runs.
        two_layer = pool.submit(cat_entry, "two-layer", args.data)
        planar = gen_planar.submit(pool.submit)
        toy = gen_toy.submit(pool.submit)
        cat["two-layer"] = two_layer.result()
        entries = [cat[name] for name, *_ in SETUPS] + planar(log) + toy(log)
    log("two-layer, flower and moons in %d processes: %.1f s" % (max(1, args.jobs), time.perf_counter() - started))
    doc = {
        "about": "Reference numbers for `cargo xtask repro`, computed with numpy by gen_repro.py "
                 "(never by the Rust binary). Costs are compared to 1e-6 absolute, accuracies "
                 "exactly (|diff| < 1e-9). Accuracies are fractions in [0, 1].",
        "generator": "xtask/expected/gen_repro.py",
        "numpy_version": np.__version__,
        "tolerances": {"cost_abs": 1e-6, "accuracy_abs": 1e-9},
        "entries": entries,
    }
    text = json.dumps(doc, indent=1)
    # Keep innermost lists ([iteration, cost] pairs, layers, args) on one line each.
    text = re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "repro.json")
    with open(path, "w") as f:
        f.write(text + "\n")
    log("wrote %s" % path)


if __name__ == "__main__":
    main()
