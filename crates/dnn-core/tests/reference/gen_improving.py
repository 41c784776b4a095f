"""numpy reference for the "improving deep networks" features of the engine, written to
tests/data/improving.json: mini-batch partition, momentum and Adam updates, L2, dropout and
learning-rate decay, on small seeded networks, following the course's numpy code
("Improving Deep Neural Networks": opt_utils, reg_utils).

Conventions (all as in the course):
  * network: relu hidden layers, sigmoid output; He initialisation after np.random.seed(3):
    W[l] = randn(n[l], n[l-1]) * sqrt(2 / n[l-1]), b[l] = 0;
  * gradients of a batch of m examples: dZ[L] = (AL - Y) / m, dW = dZ A_prevᵀ, db = Σ dZ;
  * mini-batches: np.random.seed(seed); permutation(m); complete batches, then the rest;
  * momentum: v = β v + (1 - β) d; θ -= α v;
  * Adam (t counts updates from 1): v = β1 v + (1 - β1) d, s = β2 s + (1 - β2) d²,
    θ -= α (v / (1 - β1^t)) / (sqrt(s / (1 - β2^t)) + ε);
  * L2: J += (1/m)(λ/2) Σ_l ‖W[l]‖²; dW[l] += (λ/m) W[l];
  * dropout on hidden layers: D = rand(A.shape) < keep_prob, A = A * D / keep_prob, and the
    same in the backward pass; masks drawn layer by layer, from one continuing stream;
  * decay: inverse time α0 / (1 + r e); step α0 / (1 + r floor(e / interval)).

Run: `cargo xtask regen`, or `python crates/dnn-core/tests/reference/gen_improving.py [--out DIR]`
(default: the committed tests/data/).
"""

import argparse
import json
import math
import os

import numpy as np

DIMS = [3, 4, 2, 1]


def he(dims, seed=3):
    np.random.seed(seed)
    return [(np.random.randn(dims[l], dims[l - 1]) * np.sqrt(2 / dims[l - 1]), np.zeros((dims[l], 1)))
            for l in range(1, len(dims))]


def data(seed=1, n=3, m=10):
    np.random.seed(seed)
    x = np.random.randn(n, m)
    y = (np.random.rand(1, m) > 0.5).astype(float)
    return x, y


def forward(x, params, keep_prob=None, rng=None):
    a, caches, masks = x, [], []
    for l, (w, b) in enumerate(params):
        z = np.dot(w, a) + b
        last = l == len(params) - 1
        a_next = 1 / (1 + np.exp(-z)) if last else np.maximum(0, z)
        d = None
        if not last and keep_prob is not None:
            d = (rng.rand(*a_next.shape) < keep_prob).astype(float)
            a_next = a_next * d / keep_prob
        caches.append((a, a_next, d))
        masks.append(d)
        a = a_next
    return a, caches, masks


def cost(al, y, params, lambd=0.0):
    m = y.shape[1]
    ce = -np.sum(y * np.log(al) + (1 - y) * np.log(1 - al)) / m
    l2 = (1 / m) * (lambd / 2) * sum(np.sum(np.square(w)) for w, _ in params)
    return ce + l2


def backward(y, params, caches, lambd=0.0, keep_prob=None):
    m = y.shape[1]
    grads = [None] * len(params)
    dz = (caches[-1][1] - y) / m
    for l in reversed(range(len(params))):
        a_prev = caches[l][0]
        w = params[l][0]
        dw = np.dot(dz, a_prev.T) + (lambd / m) * w
        db = np.sum(dz, axis=1, keepdims=True)
        grads[l] = (dw, db)
        if l > 0:
            da = np.dot(w.T, dz)
            d = caches[l - 1][2]
            if d is not None:
                da = da * d / keep_prob
            dz = da * (a_prev > 0)
    return grads


def listify(params):
    return [[w.tolist(), b.tolist()] for w, b in params]


def run_steps(optimizer, steps, lr, lambd=0.0, keep_prob=None, **hp):
    x, y = data()
    params = he(DIMS)
    v = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]
    s = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]
    rng = np.random.RandomState(5) if keep_prob is not None else None
    costs, history = [], []
    for t in range(1, steps + 1):
        al, caches, _ = forward(x, params, keep_prob, rng)
        costs.append(float(cost(al, y, params, lambd)))
        grads = backward(y, params, caches, lambd, keep_prob)
        new = []
        for l, ((w, b), (dw, db)) in enumerate(zip(params, grads)):
            out = []
            for k, (p, d) in enumerate(((w, dw), (b, db))):
                if optimizer == "gd":
                    p = p - lr * d
                elif optimizer == "momentum":
                    vv = hp["beta"] * v[l][k] + (1 - hp["beta"]) * d
                    v[l] = (vv, v[l][1]) if k == 0 else (v[l][0], vv)
                    p = p - lr * vv
                else:
                    vv = hp["beta1"] * v[l][k] + (1 - hp["beta1"]) * d
                    ss = hp["beta2"] * s[l][k] + (1 - hp["beta2"]) * np.power(d, 2)
                    v[l] = (vv, v[l][1]) if k == 0 else (v[l][0], vv)
                    s[l] = (ss, s[l][1]) if k == 0 else (s[l][0], ss)
                    vc = vv / (1 - hp["beta1"] ** t)
                    sc = ss / (1 - hp["beta2"] ** t)
                    p = p - lr * vc / (np.sqrt(sc) + hp["epsilon"])
                out.append(p)
            new.append(tuple(out))
        params = new
        history.append(listify(params))
    return {"costs": costs, "params": history}


def minibatches(m, size, seed):
    np.random.seed(seed)
    perm = list(np.random.permutation(m))
    full = m // size
    batches = [perm[k * size:(k + 1) * size] for k in range(full)]
    if m % size:
        batches.append(perm[full * size:])
    return [[int(i) for i in b] for b in batches]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"),
                        help="directory to write improving.json in (default: %(default)s)")
    args = parser.parse_args()
    x, y = data()
    rng = np.random.RandomState(5)
    _, _, masks = forward(x, he(DIMS), 0.8, rng)
    out = {
        "numpy": np.__version__,
        "dims": DIMS,
        "x": x.tolist(),
        "y": y.tolist(),
        "initial": listify(he(DIMS)),
        "minibatches": [
            {"m": m, "size": size, "seed": seed, "batches": minibatches(m, size, seed)}
            for m, size, seed in [(10, 4, 11), (300, 64, 11), (300, 64, 12), (7, 7, 0), (5, 64, 3)]
        ],
        "gd": run_steps("gd", 3, 0.1),
        "momentum": run_steps("momentum", 4, 0.1, beta=0.9),
        "adam": run_steps("adam", 4, 0.01, beta1=0.9, beta2=0.999, epsilon=1e-8),
        "l2": run_steps("gd", 3, 0.1, lambd=0.7),
        "dropout": run_steps("gd", 3, 0.1, keep_prob=0.8),
        "dropout_masks_first_pass_seed_5": [d.tolist() for d in masks if d is not None],
        "decay": {
            "inverse_time": [0.1 / (1 + 0.3 * e) for e in range(6)],
            "step": [0.1 / (1 + 0.3 * math.floor(e / 2)) for e in range(6)],
        },
    }
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "improving.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
