"""dnn's stratified train/test split, written from its documentation (crates/dnn-data/src/split.rs)
with numpy alone, so the Rust code is checked against an independent implementation.

    rng = np.random.RandomState(seed)
    for each class c in index order: its examples in file order, permuted by rng.permutation;
    the first floor(fraction * n_c + 0.5) go to the test part, the rest to training;
    both parts sorted (they keep the file's order).
"""
import numpy as np


def stratified_split(labels, classes, fraction, seed):
    """(train, test) index arrays of `labels` (class indices 0..classes-1)."""
    labels = np.asarray(labels)
    rng = np.random.RandomState(seed)
    train, test = [], []
    for c in range(classes):
        idx = np.flatnonzero(labels == c)
        perm = rng.permutation(len(idx))
        n_test = int(np.floor(fraction * len(idx) + 0.5))
        test.extend(idx[perm[:n_test]].tolist())
        train.extend(idx[perm[n_test:]].tolist())
    return sorted(train), sorted(test)
