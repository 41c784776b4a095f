#!/usr/bin/env python3
"""The README's table of uneven classes: machine readings, a few of them faults.

    python3 docs/examples/readings_like.py DIR

writes `readings.csv` into DIR: 3000 readings of a machine, `vibration`, `temperature` and
`load` (numbers) and `line` (`A`, `B` or `C`), and `state`, the label: `fault` for about 4 % of
them (more often where vibration and temperature are both high, and on line `C`), else `ok`.

Needs numpy (in the venv that `cargo xtask` makes); numpy's RandomState(7), so the same file
on every run.
"""
import csv
import os
import sys

import numpy as np


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    rng = np.random.RandomState(7)
    n = 3000
    vibration = rng.gamma(4.0, 0.5, n)
    temperature = 60 + 8 * rng.randn(n)
    load = rng.uniform(0.2, 1.0, n)
    line = np.array(["A", "B", "C"])[rng.randint(0, 3, n)]
    risk = (1.1 * (vibration - 2) + 0.12 * (temperature - 60) + 1.5 * (load - 0.6)
            + 0.8 * (line == "C") - 3.2 + 0.6 * rng.randn(n))
    state = np.where(risk > 0, "fault", "ok")
    with open(os.path.join(out, "readings.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["vibration", "temperature", "load", "line", "state"])
        for row in zip(vibration, temperature, load, line, state):
            w.writerow([f"{row[0]:.3f}", f"{row[1]:.1f}", f"{row[2]:.2f}", row[3], row[4]])


if __name__ == "__main__":
    main()
