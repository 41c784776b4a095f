#!/usr/bin/env python3
"""The mini-batch benchmark's two workloads and their data (`cargo xtask bench --suite minibatch`).

    python benches/reference/minibatch_data.py --out DIR

writes, for each workload NAME, `DIR/NAME.npz` (Keras' layout: `x_train` uint8 pictures or
rows, `y_train` uint8 labels, and a small `x_test`, `y_test`) and `DIR/NAME.json` (the
network and the training set-up, read by every trainer: dnn, numpy, PyTorch). The pixels
and labels are uniform random draws from a fixed seed, so a file is the same on every run
and machine (the work, not what is learnt, is what the benchmark measures).

Workloads:
  cat    4096 random 64x64x3 pictures, 2 classes; [12288, 256, 64, 1] relu/sigmoid,
         He init, Adam at 1e-4, batches of 64, 3 epochs.
  mnist  60000 random rows of 784 pixels, 10 classes; [784, 256, 128, 10] relu/softmax,
         He init, Adam at 1e-3, batches of 128, 2 epochs.
"""

import argparse
import json
import os

import numpy as np

WORKLOADS = {
    "cat": {
        "picture": [64, 64, 3],
        "train": 4096,
        "test": 256,
        "classes": 2,
        "layers": [12288, 256, 64, 1],
        "output": "sigmoid",
        "learning_rate": 1e-4,
        "batch_size": 64,
        "epochs": 3,
    },
    "mnist": {
        "picture": [784],
        "train": 60000,
        "test": 1000,
        "classes": 10,
        "layers": [784, 256, 128, 10],
        "output": "softmax",
        "learning_rate": 1e-3,
        "batch_size": 128,
        "epochs": 2,
    },
}

# Shared by every trainer: He weights from np.random.seed(INIT_SEED) (numpy's order:
# W1, W2, ...), Adam's usual betas, and epoch e shuffled by np.random.seed(SHUFFLE_SEED + e);
# np.random.permutation(m), as the course's random_mini_batches.
COMMON = {
    "init": "he",
    "init_seed": 1,
    "shuffle_seed": 11,
    "beta1": 0.9,
    "beta2": 0.999,
    "epsilon": 1e-8,
}


def generate(name, spec, out):
    rng = np.random.default_rng({"cat": 14, "mnist": 784}[name])
    arrays = {}
    for part in ("train", "test"):
        m = spec[part]
        arrays["x_" + part] = rng.integers(0, 256, size=[m] + spec["picture"], dtype=np.uint8)
        arrays["y_" + part] = rng.integers(0, spec["classes"], size=m, dtype=np.uint8)
    np.savez(os.path.join(out, name + ".npz"), **arrays)
    described = dict(spec, **COMMON, name=name)
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(described, f, indent=1)


def load(path_npz, dtype):
    """`(x, y, spec)`: x as `(m, n0)` in `dtype`, divided by 255 (each example a row), y as
    the integer labels `(m,)`, and the workload's set-up."""
    with open(path_npz[: -len(".npz")] + ".json") as f:
        spec = json.load(f)
    with np.load(path_npz) as z:
        x8 = z["x_train"]
        y = z["y_train"].astype(np.int64)
    x = x8.reshape(x8.shape[0], -1).astype(dtype)
    del x8
    x /= dtype(255)
    return x, y, spec


def he_weights(layers, seed):
    """He initialisation as dnn's `Init::He` draws it: `randn(n[l], n[l-1]) * sqrt(2 / n[l-1])`
    in float64 from np.random.seed(seed), layer by layer; biases zero."""
    np.random.seed(seed)
    return [
        np.random.randn(layers[l], layers[l - 1]) * np.sqrt(2.0 / layers[l - 1])
        for l in range(1, len(layers))
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for NAME.npz and NAME.json")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, spec in WORKLOADS.items():
        generate(name, spec, args.out)
        print(os.path.join(args.out, name + ".npz"))


if __name__ == "__main__":
    main()
