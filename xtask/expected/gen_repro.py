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

import h5py
import numpy as np

import gen_planar
import gen_toy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


# ----------------------------------------------------------------------------- data

def load_data(data_dir):
    """Load the cat data exactly as the exercise does, flattened to (n_x, m) and divided by 255."""
    with h5py.File(os.path.join(data_dir, "train_catvnoncat.h5"), "r") as f:
        train_x_orig = np.array(f["train_set_x"][:])
        train_y = np.array(f["train_set_y"][:])
    with h5py.File(os.path.join(data_dir, "test_catvnoncat.h5"), "r") as f:
        test_x_orig = np.array(f["test_set_x"][:])
        test_y = np.array(f["test_set_y"][:])
    train_y = train_y.reshape((1, train_y.shape[0]))
    test_y = test_y.reshape((1, test_y.shape[0]))
    train_x = train_x_orig.reshape(train_x_orig.shape[0], -1).T / 255.
    test_x = test_x_orig.reshape(test_x_orig.shape[0], -1).T / 255.
    return train_x, train_y, test_x, test_y


# ----------------------------------------------------------------------------- building blocks

def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z


def relu(Z):
    return np.maximum(0, Z), Z


def relu_backward(dA, Z):
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, Z):
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s)


def linear_forward(A, W, b):
    return W.dot(A) + b, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        A, activation_cache = relu(Z)
    return A, (linear_cache, activation_cache)


def l_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W%d" % L], parameters["b%d" % L], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = -1. / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return float(np.squeeze(cost))


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def l_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current = caches[L - 1]
    grads["dA%d" % (L - 1)], grads["dW%d" % L], grads["db%d" % L] = \
        linear_activation_backward(dAL, current, "sigmoid")
    for l in reversed(range(L - 1)):
        current = caches[l]
        dA_prev, dW, db = linear_activation_backward(grads["dA%d" % (l + 1)], current, "relu")
        grads["dA%d" % l] = dA_prev
        grads["dW%d" % (l + 1)] = dW
        grads["db%d" % (l + 1)] = db
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W%d" % (l + 1)] = parameters["W%d" % (l + 1)] - learning_rate * grads["dW%d" % (l + 1)]
        parameters["b%d" % (l + 1)] = parameters["b%d" % (l + 1)] - learning_rate * grads["db%d" % (l + 1)]
    return parameters


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
        cost = compute_cost(AL, Y)
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
        cost = compute_cost(A2, Y)
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
