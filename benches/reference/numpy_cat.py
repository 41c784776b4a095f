#!/usr/bin/env python3
"""The numpy reference for whole training on the cat data set.

This is the exercise's own code ("Building your Deep Neural Network: Step by Step"
and its "Application" notebook), kept as close to the original as a script allows:
forward propagation with caches, the cost, backward propagation starting from
dAL = -(Y/AL - (1-Y)/(1-AL)) -- including the dA0 = W1^T dZ1 product the exercise
computes and never uses -- and the parameter update.  It is what `dnn` is timed
against (see benches/README or the dnn-bench crate docs).

    python benches/reference/numpy_cat.py --data /path/to/data --arch deep \
        --report numpy_deep.json

Architectures (the published set-ups):
  deep       [12288, 20, 7, 5, 1], np.random.seed(1), W = randn/sqrt(n[l-1]), lr 0.0075, 2500 it.
  two-layer  [12288, 7, 1],        np.random.seed(1), W = randn*0.01,          lr 0.0075, 2500 it.
  logistic   [12288, 1],           w = 0, b = 0,                                lr 0.005,  2000 it.

--dtype float32 casts X, Y and the initial parameters to float32 and keeps all the
math in float32 (the initial weights are still drawn in float64, as numpy does).
"""

import argparse
import json
import os
import sys
import time

import h5py
import numpy as np


# ---------------------------------------------------------------- data


def load_data(data_dir):
    with h5py.File(os.path.join(data_dir, "train_catvnoncat.h5"), "r") as f:
        train_x_orig = np.array(f["train_set_x"][:])
        train_y = np.array(f["train_set_y"][:])
    with h5py.File(os.path.join(data_dir, "test_catvnoncat.h5"), "r") as f:
        test_x_orig = np.array(f["test_set_x"][:])
        test_y = np.array(f["test_set_y"][:])
    train_y = train_y.reshape((1, train_y.shape[0]))
    test_y = test_y.reshape((1, test_y.shape[0]))
    # Flatten to (n_x, m), one column per example, and scale to [0, 1].
    train_x = train_x_orig.reshape(train_x_orig.shape[0], -1).T / 255.0
    test_x = test_x_orig.reshape(test_x_orig.shape[0], -1).T / 255.0
    return train_x, train_y, test_x, test_y


# ---------------------------------------------------------------- initialisation


def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims):
    np.random.seed(1)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(
            layer_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def initialize_with_zeros(dim):
    return {"W1": np.zeros((1, dim)), "b1": np.zeros((1, 1))}


# ---------------------------------------------------------------- forward


def sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    return A, Z


def relu(Z):
    A = np.maximum(0, Z)
    return A, Z


def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        A, activation_cache = relu(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(
            A_prev, parameters["W" + str(l)], parameters["b" + str(l)], "relu"
        )
        caches.append(cache)
    AL, cache = linear_activation_forward(
        A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid"
    )
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = (-1 / m) * np.sum(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL)))
    return np.squeeze(cost)


# ---------------------------------------------------------------- backward


def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = (
        linear_activation_backward(dAL, current_cache, "sigmoid")
    )
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(
            grads["dA" + str(l + 1)], current_cache, "relu"
        )
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = (
            parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        )
        parameters["b" + str(l + 1)] = (
            parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
        )
    return parameters


# ---------------------------------------------------------------- model and predict


def L_layer_model(X, Y, parameters, learning_rate, num_iterations, dtype):
    """The exercise's training loop; the learning rate is cast so float32 stays float32."""
    learning_rate = dtype(learning_rate)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0 or i == num_iterations - 1:
            print("Cost after iteration {}: {:.6f}".format(i, float(cost)), flush=True)
            costs.append([i, float(cost)])
    return parameters, costs


def predict(X, y, parameters):
    m = X.shape[1]
    probas, _ = L_model_forward(X, parameters)
    p = (probas > 0.5).astype(int)
    return float(np.sum(p == y) / m)


ARCHS = {
    # name: (layer sizes, initialiser, learning rate, iterations)
    "deep": ([12288, 20, 7, 5, 1], "deep", 0.0075, 2500),
    "two-layer": ([12288, 7, 1], "two-layer", 0.0075, 2500),
    "logistic": ([12288, 1], "zeros", 0.005, 2000),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="data", help="directory with the two .h5 files")
    parser.add_argument("--arch", choices=sorted(ARCHS), default="deep")
    parser.add_argument("--iterations", type=int, help="override the published count")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--report", help="write costs, accuracies and timing as JSON here")
    args = parser.parse_args(argv)

    sizes, init, learning_rate, iterations = ARCHS[args.arch]
    if args.iterations is not None:
        iterations = args.iterations
    dtype = np.float32 if args.dtype == "float32" else np.float64

    train_x, train_y, test_x, test_y = load_data(args.data)
    train_x, train_y = train_x.astype(dtype), train_y.astype(dtype)
    test_x, test_y = test_x.astype(dtype), test_y.astype(dtype)

    if init == "deep":
        parameters = initialize_parameters_deep(sizes)
    elif init == "two-layer":
        parameters = initialize_parameters(*sizes)
    else:
        parameters = initialize_with_zeros(sizes[0])
    parameters = {k: v.astype(dtype) for k, v in parameters.items()}

    start = time.perf_counter()
    parameters, costs = L_layer_model(
        train_x, train_y, parameters, learning_rate, iterations, dtype
    )
    train_seconds = time.perf_counter() - start

    train_accuracy = predict(train_x, train_y, parameters)
    test_accuracy = predict(test_x, test_y, parameters)
    print("Train accuracy: {:.6f}".format(train_accuracy))
    print("Test accuracy: {:.6f}".format(test_accuracy))
    print(
        "Training: {} iterations in {:.3f} s ({:.3f} ms/iteration)".format(
            iterations, train_seconds, 1e3 * train_seconds / iterations
        ),
        file=sys.stderr,
    )

    if args.report:
        with open(args.report, "w") as f:
            json.dump(
                {
                    "arch": args.arch,
                    "dtype": args.dtype,
                    "iterations": iterations,
                    "costs": costs,
                    "train_accuracy": train_accuracy,
                    "test_accuracy": test_accuracy,
                    "train_seconds": train_seconds,
                },
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
