"""numpy reference for class weights, written to tests/data/class_weights.json: the weighted
cost, its gradients, and training runs with it, on small seeded networks with uneven classes.

Conventions:
  * an example's weight is its class's: w_j = sum_c Y[c, j] w_c (one sigmoid output:
    (1 - y) w_0 + y w_1);
  * J = (1/m) sum_j w_j L_j, L_j the example's cross-entropy; dZ[L] = w_j (AL - Y) / m per
    column, then backpropagation as usual (relu hidden layers);
  * "balanced" weights are scikit-learn's compute_class_weight("balanced"): m / (k m_c);
  * He initialisation after np.random.seed(3); mini-batches as the course's
    random_mini_batches, reseeded with seed + epoch every epoch; an epoch's cost is the mean of
    its batches' costs weighted by their sizes; momentum and Adam as in gen_improving.py.

Run: `cargo xtask regen`, or `python crates/dnn-core/tests/reference/gen_class_weights.py
[--out DIR]` (default: the committed tests/data/).
"""

import argparse
import json
import os

import numpy as np
from sklearn.utils.class_weight import compute_class_weight


def he(dims, seed=3):
    np.random.seed(seed)
    return [(np.random.randn(dims[l], dims[l - 1]) * np.sqrt(2 / dims[l - 1]), np.zeros((dims[l], 1)))
            for l in range(1, len(dims))]


def binary_data(n, m, seed=2):
    """Uneven classes: about a quarter of the examples are class 1."""
    np.random.seed(seed)
    x = np.random.randn(n, m)
    y = (np.random.rand(1, m) > 0.75).astype(float)
    return x, y, y[0].astype(int)


def softmax_data(n, m, seed=4):
    """Three classes, the last rare: one-hot columns."""
    np.random.seed(seed)
    x = np.random.randn(n, m)
    u = np.random.rand(m)
    labels = np.where(u < 0.55, 0, np.where(u < 0.85, 1, 2))
    y = np.zeros((3, m))
    y[labels, np.arange(m)] = 1.0
    return x, y, labels


def forward(x, params, softmax):
    a, caches = x, []
    for l, (w, b) in enumerate(params):
        z = np.dot(w, a) + b
        if l < len(params) - 1:
            a_next = np.maximum(0, z)
        elif softmax:
            e = np.exp(z - z.max(axis=0, keepdims=True))
            a_next = e / e.sum(axis=0, keepdims=True)
        else:
            a_next = 1 / (1 + np.exp(-z))
        caches.append((a, z, a_next))
        a = a_next
    return a, caches


def example_weights(y, weights):
    if y.shape[0] == 1:
        return (1 - y[0]) * weights[0] + y[0] * weights[1]
    return np.dot(np.asarray(weights), y)


def cost(caches, y, weights, softmax):
    z = caches[-1][1]
    if softmax:
        zmax = z.max(axis=0, keepdims=True)
        log_p = z - zmax - np.log(np.exp(z - zmax).sum(axis=0, keepdims=True))
        per_example = -(y * log_p).sum(axis=0)
    else:
        al = caches[-1][2]
        per_example = -(y * np.log(al) + (1 - y) * np.log(1 - al)).sum(axis=0)
    return float(np.sum(example_weights(y, weights) * per_example) / y.shape[1])


def backward(y, params, caches, weights):
    m = y.shape[1]
    grads = [None] * len(params)
    dz = example_weights(y, weights)[None, :] * (caches[-1][2] - y) / m
    for l in reversed(range(len(params))):
        a_prev = caches[l][0]
        grads[l] = (np.dot(dz, a_prev.T), np.sum(dz, axis=1, keepdims=True))
        if l > 0:
            dz = np.dot(params[l][0].T, dz) * (caches[l - 1][1] > 0)
    return grads


def listify(params):
    return [[w.tolist(), b.tolist()] for w, b in params]


def train(x, y, dims, weights, softmax, optimizer, lr, epochs, batch=None, seed=11, **hp):
    params = he(dims)
    v = [[np.zeros_like(p) for p in layer] for layer in params]
    s = [[np.zeros_like(p) for p in layer] for layer in params]
    m = x.shape[1]
    batch = batch or m
    t, costs = 0, []
    for epoch in range(epochs):
        if batch < m:
            np.random.seed(seed + epoch)
            order = np.random.permutation(m)
        else:
            order = np.arange(m)
        total = 0.0
        for start in range(0, m, batch):
            idx = order[start:start + batch]
            xb, yb = x[:, idx], y[:, idx]
            _, caches = forward(xb, params, softmax)
            total += cost(caches, yb, weights, softmax) * len(idx)
            grads = backward(yb, params, caches, weights)
            t += 1
            new = []
            for l, (layer, layer_grads) in enumerate(zip(params, grads)):
                out = []
                for k, (p, d) in enumerate(zip(layer, layer_grads)):
                    if optimizer == "gd":
                        p = p - lr * d
                    elif optimizer == "momentum":
                        v[l][k] = hp["beta"] * v[l][k] + (1 - hp["beta"]) * d
                        p = p - lr * v[l][k]
                    else:
                        v[l][k] = hp["beta1"] * v[l][k] + (1 - hp["beta1"]) * d
                        s[l][k] = hp["beta2"] * s[l][k] + (1 - hp["beta2"]) * np.power(d, 2)
                        vc = v[l][k] / (1 - hp["beta1"] ** t)
                        sc = s[l][k] / (1 - hp["beta2"] ** t)
                        p = p - lr * vc / (np.sqrt(sc) + hp["epsilon"])
                    out.append(p)
                new.append(tuple(out))
            params = new
        costs.append(total / m)
    return {"costs": costs, "params": listify(params)}


def case(x, y, labels, dims, weights, softmax, runs):
    params = he(dims)
    _, caches = forward(x, params, softmax)
    return {
        "dims": dims,
        "softmax": softmax,
        "x": x.tolist(),
        "y": y.tolist(),
        "counts": np.bincount(labels, minlength=y.shape[0] if softmax else 2).tolist(),
        "weights": [float(w) for w in weights],
        "initial_cost": cost(caches, y, weights, softmax),
        "initial_grads": [[dw.tolist(), db.tolist()] for dw, db in backward(y, params, caches, weights)],
        "runs": {name: train(x, y, dims, weights, softmax, **run) for name, run in runs.items()},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"),
                        help="directory to write class_weights.json in (default: %(default)s)")
    args = parser.parse_args()
    adam = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}

    x, y, labels = binary_data(3, 24)
    balanced = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels)
    sigmoid = case(x, y, labels, [3, 4, 2, 1], balanced, False, {
        "gd": {"optimizer": "gd", "lr": 0.1, "epochs": 5},
        "adam_batches_5": {"optimizer": "adam", "lr": 0.01, "epochs": 3, "batch": 5, **adam},
    })
    given = case(x, y, labels, [3, 4, 2, 1], [1.0, 4.0], False, {
        "gd": {"optimizer": "gd", "lr": 0.1, "epochs": 5},
    })

    x, y, labels = softmax_data(3, 30)
    balanced = compute_class_weight("balanced", classes=np.array([0, 1, 2]), y=labels)
    softmax = case(x, y, labels, [3, 5, 3], balanced, True, {
        "gd": {"optimizer": "gd", "lr": 0.1, "epochs": 5},
        "momentum_batches_8": {"optimizer": "momentum", "lr": 0.05, "epochs": 3, "batch": 8, "beta": 0.9},
    })

    out = {
        "numpy": np.__version__,
        "sigmoid_balanced": sigmoid,
        "sigmoid_given": given,
        "softmax_balanced": softmax,
    }
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "class_weights.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
