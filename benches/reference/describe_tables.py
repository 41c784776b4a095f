#!/usr/bin/env python3
"""The three tables that `dnn describe`'s speed and memory are measured on
(docs/performance.md, "dnn describe"), written with numpy from a fixed seed:

- numbers.csv: 100,000 rows of 50 standard normals with 5 decimals, and a 0/1 label;
- wide.csv: 20,000 rows of 500 such columns, and a 0/1 label;
- pixels.csv: 60,000 rows of a label 0-9 first, then 784 whole numbers 0-255, four in five
  of them 0 (an MNIST-shaped table, as Kaggle's digit-recognizer train.csv is).

    python benches/reference/describe_tables.py --out DIR

then, for each table, `/usr/bin/time -f "%e s %M KB" dnn describe --data DIR/TABLE.csv`.
"""

import argparse
import os

import numpy as np


def write(path, header, columns, fmt):
    """Writes `columns` (a list of 1-D arrays, one per column) under `header` with numpy's
    savetxt, each cell formatted by `fmt`."""
    np.savetxt(path, np.column_stack(columns), fmt=fmt, delimiter=",",
               header=",".join(header), comments="")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the folder to write the tables to")
    out = parser.parse_args().out
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, rows, features in [("numbers", 100_000, 50), ("wide", 20_000, 500)]:
        x = rng.standard_normal((rows, features))
        label = (x[:, 0] + x[:, 1] > 0).astype(float)
        header = [f"f{j}" for j in range(features)] + ["label"]
        write(os.path.join(out, f"{name}.csv"), header, list(x.T) + [label],
              ["%.5f"] * features + ["%d"])
    rows, pixels = 60_000, 784
    values = rng.integers(0, 256, size=(rows, pixels))
    values[rng.random((rows, pixels)) < 0.8] = 0
    label = rng.integers(0, 10, size=rows)
    header = ["label"] + [f"pixel{j}" for j in range(pixels)]
    write(os.path.join(out, "pixels.csv"), header, [label] + list(values.T), "%d")


if __name__ == "__main__":
    main()
