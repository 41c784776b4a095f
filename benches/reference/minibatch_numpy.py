#!/usr/bin/env python3
"""numpy by hand on a mini-batch workload of `minibatch_data.py`: the course's forward and
backward passes (column per example), its Adam update, and its shuffled mini-batches.

    python benches/reference/minibatch_numpy.py --data DIR/cat.npz --dtype float32 --report r.json

The report holds the cost of every epoch (the mean batch cost, weighted by batch size, each
taken before its batch's update, as dnn reports it), `train_seconds` (the epochs alone) and
`load_seconds`.
"""

import argparse
import json
import time

import numpy as np

from minibatch_data import he_weights, load


def cost_from_logits(zl, y, output):
    """The batch's cross-entropy from the output logits, as dnn computes it (stable)."""
    k = zl.shape[1]
    if output == "sigmoid":
        return float(np.sum(np.maximum(zl, 0) - zl * y + np.log1p(np.exp(-np.abs(zl)))) / k)
    shifted = zl - zl.max(axis=0, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return float(-np.sum(y * log_softmax) / k)


def forward(params, xb, output):
    acts = [xb]
    a = xb
    for l, (w, b) in enumerate(params):
        z = w @ a + b
        if l < len(params) - 1:
            a = np.maximum(z, 0)
            acts.append(a)
    if output == "sigmoid":
        al = 1 / (1 + np.exp(-z))
    else:
        e = np.exp(z - z.max(axis=0, keepdims=True))
        al = e / e.sum(axis=0, keepdims=True)
    return z, al, acts


def train(x, y, spec, dtype):
    """`x` is `(n0, m)` (a view of the example-major array), `y` `(n[L], m)`."""
    params = [(w.astype(dtype), np.zeros((w.shape[0], 1), dtype)) for w in he_weights(spec["layers"], spec["init_seed"])]
    v = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]
    s = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]
    b1, b2, eps, lr = spec["beta1"], spec["beta2"], spec["epsilon"], spec["learning_rate"]
    m, batch = x.shape[1], spec["batch_size"]
    costs, t = [], 0
    for epoch in range(spec["epochs"]):
        np.random.seed(spec["shuffle_seed"] + epoch)
        order = np.random.permutation(m)
        total = 0.0
        for start in range(0, m, batch):
            idx = order[start : start + batch]
            xb, yb = x[:, idx], y[:, idx]
            k = xb.shape[1]
            zl, al, acts = forward(params, xb, spec["output"])
            total += cost_from_logits(zl, yb, spec["output"]) * k
            dz = al - yb
            grads = []
            for l in range(len(params) - 1, -1, -1):
                w = params[l][0]
                grads.append(((dz @ acts[l].T) / k, dz.sum(axis=1, keepdims=True) / k))
                if l > 0:
                    dz = (w.T @ dz) * (acts[l] > 0)
            grads.reverse()
            t += 1
            for l, (dw, db) in enumerate(grads):
                new = []
                for i, d in enumerate((dw, db)):
                    v[l][i][...] = b1 * v[l][i] + (1 - b1) * d
                    s[l][i][...] = b2 * s[l][i] + (1 - b2) * (d * d)
                    v_corr = v[l][i] / (1 - b1**t)
                    s_corr = s[l][i] / (1 - b2**t)
                    new.append(params[l][i] - lr * v_corr / (np.sqrt(s_corr) + eps))
                params[l] = tuple(p.astype(dtype, copy=False) for p in new)
        costs.append(total / m)
    return costs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a NAME.npz written by minibatch_data.py")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--report", help="write costs and timings as JSON here")
    args = parser.parse_args()
    dtype = np.float32 if args.dtype == "float32" else np.float64
    start = time.perf_counter()
    x, labels, spec = load(args.data, dtype)
    classes = spec["layers"][-1]
    if spec["output"] == "sigmoid":
        y = labels.reshape(1, -1).astype(dtype)
    else:
        y = np.zeros((classes, labels.size), dtype)
        y[labels, np.arange(labels.size)] = 1
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    costs = train(x.T, y, spec, dtype)
    train_seconds = time.perf_counter() - start
    for e, c in enumerate(costs):
        print("Cost after epoch {}: {:.6f}".format(e, c))
    if args.report:
        with open(args.report, "w") as f:
            json.dump(
                {
                    "program": "numpy",
                    "dtype": args.dtype,
                    "workload": spec["name"],
                    "costs": [[i, c] for i, c in enumerate(costs)],
                    "train_seconds": train_seconds,
                    "load_seconds": load_seconds,
                },
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
