#!/usr/bin/env python3
"""The README's tables and pictures made from scikit-learn's bundled iris and digits sets.

    python3 docs/examples/sklearn_sets.py DIR

writes into DIR:
- `iris.csv`: the 150 irises, four measurements and the species name (the label, last);
- `rows.csv`: three of them (rows 1, 51 and 101, one of each species) without the species and
  with the columns in another order, as a user's new rows come;
- `digits.npz`: the 1797 8x8 digits as uint8 pictures (0-16 scaled to 0-255), saved as Keras
  saves its sets, `x_train, y_train, x_test, y_test`: the first 1500 to train, the other 297
  to test;
- `digits_xy.npz`: the same pictures and labels as just `x, y`;
- `digit_0.png`, `digit_1.png`, `digit_2.png`: the first three test pictures, 8x8 grey PNG;
- `threedigits/train_threedigits.h5`, `threedigits/test_threedigits.h5`: the digits 0, 1 and
  2 as a course-style HDF5 set, `(m, 8, 8, 1)` pictures with `list_classes` `zero, one, two`,
  a fifth of each class to test.

Needs numpy, scikit-learn, h5py and Pillow (all in the venv that `cargo xtask` makes); the
same files on every run.
"""
import csv
import os
import sys

import h5py
import numpy as np
from PIL import Image
from sklearn.datasets import load_digits, load_iris
from sklearn.model_selection import train_test_split


def write_iris(out):
    iris = load_iris()
    columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    species = list(iris.target_names)
    with open(os.path.join(out, "iris.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns + ["species"])
        for x, y in zip(iris.data, iris.target):
            w.writerow([repr(float(v)) for v in x] + [species[y]])
    order = ["petal_width", "petal_length", "sepal_width", "sepal_length"]
    with open(os.path.join(out, "rows.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(order)
        for row in (0, 50, 100):
            w.writerow([repr(float(iris.data[row, columns.index(c)])) for c in order])


def write_digits(out):
    digits = load_digits()
    x = np.minimum(digits.images * 16, 255).astype(np.uint8)  # 0-16 -> 0-255 (16 -> 255)
    y = digits.target.astype(np.int64)
    np.savez(os.path.join(out, "digits.npz"),
             x_train=x[:1500], y_train=y[:1500], x_test=x[1500:], y_test=y[1500:])
    np.savez(os.path.join(out, "digits_xy.npz"), x=x, y=y)
    for i in range(3):
        Image.fromarray(x[1500 + i]).save(os.path.join(out, f"digit_{i}.png"))

    keep = y < 3
    x3, y3 = x[keep][..., np.newaxis], y[keep]
    x_train, x_test, y_train, y_test = train_test_split(
        x3, y3, test_size=0.2, stratify=y3, random_state=0)
    folder = os.path.join(out, "threedigits")
    os.makedirs(folder, exist_ok=True)
    classes = np.array([b"zero", b"one", b"two"])
    for part, xs, ys in (("train", x_train, y_train), ("test", x_test, y_test)):
        with h5py.File(os.path.join(folder, f"{part}_threedigits.h5"), "w") as f:
            f.create_dataset(f"{part}_set_x", data=xs)
            f.create_dataset(f"{part}_set_y", data=ys)
            f.create_dataset("list_classes", data=classes)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    write_iris(out)
    write_digits(out)


if __name__ == "__main__":
    main()
