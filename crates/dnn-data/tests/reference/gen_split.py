#!/usr/bin/env python3
"""Expected stratified splits (split_expected.json) for crates/dnn-data/tests/data/dataset.rs, from
dnn_split.py (numpy's RandomState, the algorithm as documented in src/split.rs), and a
regression's shuffled splits from scikit-learn's own ShuffleSplit (which train_test_split uses),
and splits by groups from scikit-learn's GroupShuffleSplit; the folds of cross-validation
from scikit-learn's StratifiedKFold, KFold and GroupKFold (shuffle=True), each example's fold.

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


def shuffled_cases():
    # (name, examples, fraction, seed)
    yield "ten_rows", 10, 0.2, 0
    yield "fraction_rounds_up", 17, 0.25, 3
    yield "thirds", 10, 0.3, 5
    yield "many_rows", 1000, 0.2, 42
    yield "large_seed", 103, 0.1, 4294967295
    yield "every_row_used", 90, 0.3, 0  # (1 - 0.3) * 90 rounds down to 62: sklearn keeps 63


def grouped_cases():
    # (name, each row's group as pandas would read it, fraction, seed)
    yield "three_rows_each", [j // 3 for j in range(30)], 0.2, 0
    yield "uneven_people", [0, 0, 1, 2, 2, 2, 2, 3, 4, 4, 5, 6, 6, 6, 7, 8, 9, 9], 0.25, 3
    rng = np.random.RandomState(7)
    yield "ids_shuffled", rng.randint(100, 160, size=400).tolist(), 0.2, 42
    yield "names", ["ann", "bob", "cy", "dee", "bob", "ann", "eve", "cy", "fay", "gus"], 0.3, 5
    yield "large_seed", [j % 17 for j in range(85)], 0.1, 4294967295
    # Written 2.0 as pandas writes an id column with a gap: sorted as numbers, not text.
    yield "float_ids", [[2.0, 10.0, 1.5, 33.0, 7.25][j % 5] + 100 * (j % 3) for j in range(45)], 0.2, 1


def fold_cases():
    # (name, kind, labels or groups or a number of examples, folds, seed)
    yield "stratified_two_classes", "stratified", [j % 2 for j in range(20)], 5, 0
    # Classes first met in another order than their indices, and uneven.
    yield "stratified_uneven", "stratified", [2] * 5 + [0] * 13 + [1] * 7 + [2] * 4, 3, 5
    rng = np.random.RandomState(11)
    yield "stratified_ten_classes", "stratified", rng.randint(0, 10, size=500).tolist(), 5, 1
    # A class with fewer examples than folds (scikit-learn warns, and deals it as it can).
    yield "stratified_rare_class", "stratified", [0] * 30 + [1] * 2 + [0] * 10, 5, 3
    yield "stratified_large_seed", "stratified", [j % 4 for j in range(103)], 10, 4294967295
    yield "shuffled_ten", "shuffled", 10, 3, 0
    yield "shuffled_many", "shuffled", 1000, 5, 42
    yield "shuffled_large_seed", "shuffled", 103, 10, 4294967295
    yield "grouped_three_each", "grouped", [j // 3 for j in range(30)], 5, 0
    rng = np.random.RandomState(7)
    yield "grouped_ids", "grouped", rng.randint(100, 160, size=400).tolist(), 4, 42
    yield "grouped_uneven", "grouped", [0, 0, 1, 2, 2, 2, 2, 3, 4, 4, 5, 6, 6, 6, 7], 3, 9


def folds():
    """Each case's fold of every example, from scikit-learn's splitters."""
    import warnings

    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

    out = []
    for name, kind, data, k, seed in fold_cases():
        if kind == "stratified":
            y = np.asarray(data)
            splits = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(
                np.zeros(len(y)), y)
            m = len(y)
        elif kind == "shuffled":
            m = data
            splits = KFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(m))
        else:
            groups = np.asarray(data)
            m = len(groups)
            splits = GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(
                np.zeros(m), groups=groups)
        fold_of = [None] * m
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the rare class's "fewer members than n_splits"
            for i, (_, test) in enumerate(splits):
                for j in test:
                    fold_of[int(j)] = i
        case = dict(name=name, kind=kind, folds=k, seed=seed, fold_of=fold_of)
        if kind == "stratified":
            case["labels"] = data
            case["classes"] = max(data) + 1
        elif kind == "shuffled":
            case["examples"] = m
        else:
            case["groups"] = [str(g) for g in data]
        out.append(case)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()
    out = []
    for name, labels, classes, fraction, seed in cases():
        train, test = stratified_split(labels, classes, fraction, seed)
        out.append(dict(name=name, labels=labels, classes=classes, fraction=fraction,
                        seed=seed, train=train, test=test))
    from sklearn import __version__ as sklearn_version
    from sklearn.model_selection import ShuffleSplit

    shuffled = []
    for name, m, fraction, seed in shuffled_cases():
        train, test = next(ShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
                           .split(np.zeros(m)))
        shuffled.append(dict(name=name, examples=m, fraction=fraction, seed=seed,
                             train=sorted(int(j) for j in train),
                             test=sorted(int(j) for j in test)))
    from sklearn.model_selection import GroupShuffleSplit

    grouped = []
    for name, groups, fraction, seed in grouped_cases():
        train, test = next(GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
                           .split(np.zeros(len(groups)), groups=np.asarray(groups)))
        grouped.append(dict(name=name, groups=[str(g) for g in groups], fraction=fraction,
                            seed=seed, train=[int(j) for j in train],
                            test=[int(j) for j in test]))
    path = os.path.join(args.out, "split_expected.json")
    with open(path, "w") as f:
        json.dump({"generator": "gen_split.py (numpy " + np.__version__ + ", scikit-learn "
                   + sklearn_version + ")", "cases": out, "shuffled": shuffled,
                   "grouped": grouped, "folds": folds()}, f)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
