#!/usr/bin/env python3
"""Generate xtask/expected/repro.json: the reference numbers `cargo xtask repro` checks against.

The numbers come from numpy, never from the Rust `dnn` binary: this script is a faithful copy of
the math of the numpy exercises ("Building your Deep Neural Network: Step by Step" and its
application, and the logistic-regression exercise), run on the cat/non-cat data; gen_planar.py
adds the flower chapter and gen_toy.py the "Optimization methods" moons runs (gd, momentum, Adam).

Usage (needs numpy, h5py and scikit-learn; the data comes from `cargo xtask fetch-data`):

    python3 xtask/expected/gen_repro.py [--data DATA_DIR] [--out OUT_JSON]

Each training takes roughly 15-30 s.
"""

import argparse
import json
import os
import platform
import re
import sys

import numpy as np

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(ROOT, "data"), help="directory with the two .h5 files")
    parser.add_argument("--out", default=os.path.join(HERE, "repro.json"), help="where to write the JSON")
    parser.add_argument("--only", help="run only this set-up (for checking; does not write --out)")
    args = parser.parse_args()

    train_x, train_y, test_x, test_y = load_data(args.data)
    entries = []
    for name, arch, layers, lr, iterations, init in SETUPS:
        if args.only and name != args.only:
            continue
        print("training %s %s (lr %g, %d iterations)..." % (name, layers, lr, iterations), file=sys.stderr, flush=True)
        if arch == "deep":
            params, costs = l_layer_model(train_x, train_y, layers, lr, iterations)
            predict = lambda X, p=params: l_model_forward(X, p)[0]
        elif arch == "two-layer":
            params, costs = two_layer_model(train_x, train_y, layers, lr, iterations)
            predict = lambda X, p=params: l_model_forward(X, p)[0]
        else:
            params, costs = logistic_model(train_x, train_y, lr, iterations)
            predict = lambda X, p=params: l_model_forward(X, p)[0]
        train_acc = accuracy(predict(train_x), train_y)
        test_acc = accuracy(predict(test_x), test_y)
        print("  cost[0] %.6f  cost[%d] %.6f  train %.6f  test %.6f"
              % (costs[0][1], costs[-2][0], costs[-2][1], train_acc, test_acc), file=sys.stderr)
        entries.append({
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
        })

    if args.only:
        return
    log = lambda text: print(text, file=sys.stderr, flush=True)
    entries += gen_planar.entries(log)
    entries += gen_toy.entries(log)
    doc = {
        "about": "Reference numbers for `cargo xtask repro`, computed with numpy by gen_repro.py "
                 "(never by the Rust binary). Costs are compared to 1e-6 absolute, accuracies "
                 "exactly (|diff| < 1e-9). Accuracies are fractions in [0, 1].",
        "generator": "xtask/expected/gen_repro.py",
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "tolerances": {"cost_abs": 1e-6, "accuracy_abs": 1e-9},
        "entries": entries,
    }
    text = json.dumps(doc, indent=1)
    # Keep innermost lists ([iteration, cost] pairs, layers, args) on one line each.
    text = re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    with open(args.out, "w") as f:
        f.write(text + "\n")
    print("wrote %s" % args.out, file=sys.stderr)


if __name__ == "__main__":
    main()
