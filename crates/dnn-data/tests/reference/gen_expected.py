#!/usr/bin/env python3
"""Generates the reference numbers the dnn-data tests compare against, with numpy + h5py.

Run `cargo xtask regen`, or from anywhere:
    python crates/dnn-data/tests/reference/gen_expected.py [--data DATA_DIR] [--out DIR]
DATA_DIR defaults to $DNN_DATA_DIR, else <workspace>/data, else <workspace>/../shared/data.
Writes cat_expected.json and planar_expected.json into DIR (default: next to this script, where
they are committed). Floats are written
with Python's repr (shortest round-trip), so the Rust side can compare with ==.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WORKSPACE = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))


def data_dir(given):
    if given:
        return given
    cands = [os.environ.get("DNN_DATA_DIR"), os.path.join(WORKSPACE, "data"),
             os.path.join(WORKSPACE, "..", "shared", "data")]
    for d in cands:
        if d and os.path.isfile(os.path.join(d, "train_catvnoncat.h5")):
            return d
    sys.exit("cat data not found; run `cargo xtask fetch-data`")


def cat_expected(d):
    with h5py.File(os.path.join(d, "train_catvnoncat.h5"), "r") as f:
        train_x_orig = np.array(f["train_set_x"][:])
        train_y = np.array(f["train_set_y"][:])
        classes = [c.decode("ascii") for c in f["list_classes"][:]]
    with h5py.File(os.path.join(d, "test_catvnoncat.h5"), "r") as f:
        test_x_orig = np.array(f["test_set_x"][:])
        test_y = np.array(f["test_set_y"][:])
    train_x = train_x_orig.reshape(train_x_orig.shape[0], -1).T / 255
    test_x = test_x_orig.reshape(test_x_orig.shape[0], -1).T / 255
    probes = []
    for (j, row, col, ch) in [(0, 0, 0, 0), (5, 10, 20, 2), (208, 63, 63, 2), (100, 31, 7, 1)]:
        probes.append({"example": j, "row": row, "col": col, "channel": ch,
                       "feature": (row * 64 + col) * 3 + ch,
                       "value": float(train_x[(row * 64 + col) * 3 + ch, j])})
    return {
        "train_x_dtype": str(train_x_orig.dtype),
        "train_y_dtype": str(train_y.dtype),
        "train_shape": list(train_x.shape),
        "test_shape": list(test_x.shape),
        "train_cats": int(train_y.sum()),
        "test_cats": int(test_y.sum()),
        "classes": classes,
        "train_x_col0_first5": [float(v) for v in train_x[:5, 0]],
        "train_x_col1_first5": [float(v) for v in train_x[:5, 1]],
        "test_x_col0_first5": [float(v) for v in test_x[:5, 0]],
        "train_x_last_row_first5": [float(v) for v in train_x[-1, :5]],
        "train_y_first20": [int(v) for v in train_y[:20]],
        "test_y_first20": [int(v) for v in test_y[:20]],
        "train_probes": probes,
    }


def load_planar_dataset(seed):
    # The exercise's planar_utils.load_planar_dataset, with the seed as a parameter.
    np.random.seed(seed)
    m = 400
    N = int(m / 2)
    D = 2
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype='uint8')
    a = 4
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def planar_expected():
    out = {"numpy_version": np.__version__, "flower": [], "linspace": []}
    for seed in (1, 3):
        X, Y = load_planar_dataset(seed)
        out["flower"].append({"seed": seed,
                              "x": [[float(v) for v in row] for row in X],
                              "y": [[int(v) for v in row] for row in Y]})
    for (start, stop, num) in [(0.0, 3.12, 200), (3.12, 6.24, 200), (0.0, 1.0, 7),
                               (-2.5, 10.1, 33), (1.0, 1.0, 5), (3.0, 4.0, 1), (0.1, 0.7, 3)]:
        out["linspace"].append({"start": start, "stop": stop, "num": num,
                                "values": [float(v) for v in np.linspace(start, stop, num)]})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="directory with the two .h5 files")
    parser.add_argument("--out", default=HERE, help="directory to write the JSON files in (default: %(default)s)")
    args = parser.parse_args()
    d = data_dir(args.data)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cat_expected.json"), "w") as f:
        json.dump(cat_expected(d), f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "planar_expected.json"), "w") as f:
        json.dump(planar_expected(), f)
        f.write("\n")


if __name__ == "__main__":
    main()
