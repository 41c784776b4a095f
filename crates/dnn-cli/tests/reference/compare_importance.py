#!/usr/bin/env python3
"""dnn evaluate --importance against scikit-learn's permutation_importance, run on dnn's own
model through `dnn predict`.

    python crates/dnn-cli/tests/reference/compare_importance.py --dnn target/release/dnn [--out DIR] [--json FILE]

scikit-learn's `sklearn.inspection.permutation_importance` is the independent side: it shuffles
the columns of a numpy array of the raw cells (text, dates, empty cells as written) with
its own random_state, and scores an estimator whose predict() pipes those rows to
`dnn predict --model M -` and reads back the classes (or values) dnn answers. So dnn is only
the model there; the shuffles, the scores and their mean and standard deviation are
scikit-learn's and numpy's. `dnn evaluate --importance --report` must give the same numbers.

Three runs on generated tables (numpy's RandomState(0); nothing is downloaded), each trained by
`dnn train` on its own file and evaluated on a second file of new rows (scored whole):
  1. `cls`: a two-class label from numbers (`strong`, `weak`, a `noise` column it does not
     depend on, `size` with empty cells, `--fill-missing mean`), a text column `colour`
     (one-hot) and a column of dates `day` (its month matters); 10 shuffles, seed 7;
  2. `cls-f32-threshold`: the same table trained with --dtype f32, scored at --threshold 0.3
     (dnn predict answers at the same threshold); 4 shuffles, seed 0;
  3. `reg`: a regression (`y` from `strong`, `weak`, `colour` and `day`'s month), R²; 9
     shuffles (the pairwise sums of numpy from 8 on), seed 123.
For each it records the largest difference of any column's drops, mean and standard
deviation, and the two sides' orders of columns by mean.
"""
import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.inspection import permutation_importance
from sklearn.metrics import accuracy_score, r2_score

COLOURS = np.array(["red", "green", "blue"])


def table(rng, n, regression):
    """n rows of the generated table: its header, and every cell as the text written to the CSV
    (an array of str objects, rows by columns)."""
    strong = rng.standard_normal(n)
    weak = rng.standard_normal(n)
    noise = rng.standard_normal(n)
    size = rng.standard_normal(n)
    colour = COLOURS[rng.randint(0, 3, size=n)]
    days = np.datetime64("2020-01-01") + rng.randint(0, 4 * 365, size=n).astype("timedelta64[D]")
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    summer = ((month >= 6) & (month <= 8)).astype(float)
    colour_effect = np.where(colour == "red", 1.5, np.where(colour == "blue", -1.5, 0.0))
    text = lambda values: [repr(float(v)) for v in values]
    columns = {"strong": text(strong), "weak": text(weak), "noise": text(noise)}
    if regression:
        y = 3 * strong + weak + colour_effect + 2 * summer + 0.5 * rng.standard_normal(n)
        columns.update(colour=list(colour), day=[str(d) for d in days], y=text(y))
    else:
        missing = rng.rand(n) < 0.05
        logit = (2 * strong + 0.7 * weak + colour_effect + 1.5 * summer
                 + 0.5 * np.where(missing, 0, size))
        p = 1 / (1 + np.exp(-logit))
        label = np.where(rng.rand(n) < p, "yes", "no")
        columns.update(size=["" if m else repr(float(v)) for v, m in zip(size, missing)],
                       colour=list(colour), day=[str(d) for d in days], label=list(label))
    cells = np.empty((n, len(columns)), dtype=object)
    for j, values in enumerate(columns.values()):
        cells[:, j] = values
    return list(columns), cells


def csv_text(header, cells):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(cells.tolist())
    return out.getvalue()


class DnnModel(BaseEstimator):
    """A dnn model file as a scikit-learn estimator: predict() runs `dnn predict` on the rows."""

    def __init__(self, dnn=None, model=None, header=(), extra=()):
        self.dnn = dnn
        self.model = model
        self.header = header
        self.extra = extra

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        out = subprocess.run([self.dnn, "predict", "--model", self.model, "-", *self.extra],
                             input=csv_text(self.header, X), capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"dnn predict failed: {out.stderr}")
        # `row,class,probability`, or a regression's `row,<target>`.
        header, *rows = list(csv.reader(io.StringIO(out.stdout)))
        if header[1] == "class":
            return np.array([r[1] for r in rows], dtype=object)
        return np.array([float(r[1]) for r in rows])


def run(dnn, out, name, target, train_flags, evaluate_flags, repeats, seed, regression):
    rng = np.random.RandomState(0)
    header, train = table(rng, 400, regression)
    _, test = table(rng, 150, regression)
    train_csv, test_csv = os.path.join(out, f"{name}.csv"), os.path.join(out, f"{name}_new.csv")
    for path, cells in ((train_csv, train), (test_csv, test)):
        with open(path, "w") as f:
            f.write(csv_text(header, cells))
    model = os.path.join(out, f"{name}.h5")
    report = os.path.join(out, f"{name}.json")
    subprocess.run([dnn, "train", "--data", train_csv, "--target", target, "--hidden", "16",
                    "--optimizer", "adam", "--learning-rate", "0.01", "--iterations", "300",
                    "--save", model, *train_flags], check=True, capture_output=True)
    printed = subprocess.run([dnn, "evaluate", "--model", model, "--data", test_csv,
                              "--importance", "--importance-repeats", str(repeats),
                              "--importance-seed", str(seed), "--report", report,
                              *evaluate_flags], check=True, capture_output=True, text=True).stdout
    with open(report) as f:
        ours = json.load(f)["importance"]

    label = header.index(target)
    columns = header[:label] + header[label + 1:]
    x = np.delete(test, label, axis=1)
    y = test[:, label].astype(float) if regression else test[:, label]
    estimator = DnnModel(dnn, model, tuple(columns), tuple(evaluate_flags))
    metric = r2_score if regression else accuracy_score
    theirs = permutation_importance(estimator, x, y, scoring=lambda e, X, y: metric(y, e.predict(X)),
                                    n_repeats=repeats, random_state=seed)
    baseline = metric(y, estimator.predict(x))
    assert [c["column"] for c in ours["columns"]] == columns, (ours["columns"], columns)
    worst = {"drops": 0.0, "mean": 0.0, "std": 0.0}
    for c, drops, mean, std in zip(ours["columns"], theirs.importances, theirs.importances_mean,
                                   theirs.importances_std):
        worst["drops"] = max(worst["drops"], float(np.max(np.abs(np.array(c["drops"]) - drops))))
        worst["mean"] = max(worst["mean"], abs(c["mean"] - mean))
        worst["std"] = max(worst["std"], abs(c["std"] - std))
    order = [columns[i] for i in np.argsort(-theirs.importances_mean, kind="stable")]
    result = {
        "run": name,
        "metric": ours["metric"],
        "repeats": repeats,
        "seed": seed,
        "baseline": ours["baseline"],
        "baseline_difference": abs(ours["baseline"] - baseline),
        "max_abs_difference": worst,
        "sklearn_order": order,
        "dnn_order": [c["column"] for c in sorted(ours["columns"], key=lambda c: -c["mean"])],
        "sklearn_mean": dict(zip(columns, map(float, theirs.importances_mean))),
        "printed": printed,
    }
    print(f"{name}: {ours['metric']} {ours['baseline']:.6f}, {repeats} shuffles, seed {seed}; "
          f"largest difference from scikit-learn: drops {worst['drops']:.3g}, mean "
          f"{worst['mean']:.3g}, std {worst['std']:.3g}")
    for column in order:
        print(f"  {column:8} {result['sklearn_mean'][column]: .6f}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dnn", required=True)
    parser.add_argument("--out")
    parser.add_argument("--json")
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp()
    os.makedirs(out, exist_ok=True)
    results = [
        run(args.dnn, out, "cls", "label", ["--fill-missing", "mean"], [], 10, 7, False),
        run(args.dnn, out, "cls-f32-threshold", "label", ["--fill-missing", "mean", "--dtype", "f32"],
            ["--threshold", "0.3"], 4, 0, False),
        run(args.dnn, out, "reg", "y", [], [], 9, 123, True),
    ]
    import sklearn
    doc = {"sklearn": sklearn.__version__, "numpy": np.__version__, "results": results}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
