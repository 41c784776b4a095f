#!/usr/bin/env python3
"""Expected stratified splits (split_expected.json) for crates/dnn-data/tests/data/dataset.rs, from
dnn_split.py (numpy's RandomState, the algorithm as documented in src/split.rs).

    python crates/dnn-data/tests/reference/gen_split.py [--out DIR]
"""
import argparse
import json
import os

import numpy as np

from dnn_split import stratified_split

HERE = os.path.dirname(os.path.abspath(__file__))


def cases():
    # (name, labels, classes, fraction, seed)
    yield "two_classes_balanced", [j % 2 for j in range(20)], 2, 0.2, 0
    yield "three_classes_uneven", [0] * 7 + [1] * 13 + [2] * 4, 3, 0.25, 5
    rng = np.random.RandomState(42)
    yield "ten_classes_shuffled", rng.randint(0, 10, size=500).tolist(), 10, 0.2, 1
    yield "empty_class_draws_nothing", [0, 2, 2, 0, 2, 0, 0, 2, 0, 2], 3, 0.3, 3
    yield "half_rounds_up", [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], 2, 0.5, 7
    yield "large_seed", [j % 4 for j in range(103)], 4, 0.1, 4294967295


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()
    out = []
    for name, labels, classes, fraction, seed in cases():
        train, test = stratified_split(labels, classes, fraction, seed)
        out.append(dict(name=name, labels=labels, classes=classes, fraction=fraction,
                        seed=seed, train=train, test=test))
    path = os.path.join(args.out, "split_expected.json")
    with open(path, "w") as f:
        json.dump({"generator": "gen_split.py (numpy " + np.__version__ + ")", "cases": out}, f)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
