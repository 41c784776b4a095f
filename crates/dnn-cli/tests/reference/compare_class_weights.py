#!/usr/bin/env python3
"""dnn train --class-weight against scikit-learn: the balanced weights, the weighted cost and the
balanced accuracy, on dnn's own models.

    python crates/dnn-cli/tests/reference/compare_class_weights.py --dnn target/release/dnn [--out DIR] [--json FILE]

Two generated tables with uneven classes (scikit-learn's make_classification, random_state 3;
nothing is downloaded): `two`, 1500 rows of which about 8 % are class 1, and `three`, 1500 rows
of three classes in about 70/25/5 %. For each:
  1. `dnn train --class-weight balanced` (hidden 16, Adam lr 0.01, 150 iterations, seed 1) on
     the CSV, with its stratified 0.2 test split (seed 0), `--report`;
  2. scikit-learn computes the same split independently (dnn_split.py, from dnn's documented
     algorithm) and `compute_class_weight("balanced")` of the training labels: the report's
     `class_weights` must be those;
  3. `dnn predict --probabilities` answers every row; scikit-learn's `balanced_accuracy_score`
     of its classes on the training and test rows must be the report's `balanced_accuracy`;
  4. `dnn train --from` the model, 1 iteration, the same weights: its cost at iteration 0 is the
     weighted cost of the model on the training part, `(1/m) sum_j w_j L_j`. With balanced
     weights `sum_j w_j = m`, so it is scikit-learn's `log_loss(y, p, sample_weight=w)` (a mean
     weighted by `w`) of predict's probabilities on the training rows;
  5. the same training without `--class-weight`: its balanced accuracy on the test rows
     (scikit-learn's, of its predictions), to show what the weights change.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score, log_loss
from sklearn.utils.class_weight import compute_class_weight

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "dnn-data", "tests", "reference"))
from dnn_split import stratified_split  # noqa: E402

TRAIN = ["--hidden", "16", "--optimizer", "adam", "--learning-rate", "0.01", "--iterations", "150",
         "--seed", "1", "--quiet"]


def tables():
    x, y = make_classification(n_samples=1500, n_features=6, n_informative=4, n_redundant=0,
                               weights=[0.92, 0.08], flip_y=0.01, class_sep=0.8, random_state=3)
    yield "two", x, y
    x, y = make_classification(n_samples=1500, n_features=6, n_informative=4, n_redundant=0,
                               n_classes=3, n_clusters_per_class=1, weights=[0.7, 0.25, 0.05],
                               flip_y=0.01, class_sep=0.8, random_state=3)
    yield "three", x, y


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out.stdout


def write_csv(path, x, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"f{i}" for i in range(x.shape[1])] + ["label"])
        for row, label in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [int(label)])


def predicted(dnn, model, path, out_dir, name, classes):
    out = os.path.join(out_dir, f"{name}_predictions.csv")
    run([dnn, "predict", "--model", model, path, "--output", out, "--probabilities"])
    with open(out) as f:
        rows = list(csv.DictReader(f))
    labels = np.array([int(r["class"]) for r in rows])
    proba = np.array([[float(r[f"probability_{c}"]) for c in classes] for r in rows])
    return labels, proba


def compare(dnn, out_dir, name, x, y):
    path = os.path.join(out_dir, f"{name}.csv")
    write_csv(path, x, y)
    classes = np.unique(y)
    train, test = stratified_split(y, len(classes), 0.2, 0)

    model = os.path.join(out_dir, f"{name}.h5")
    report = os.path.join(out_dir, f"{name}.json")
    printed = run([dnn, "train", "--data", path, *TRAIN, "--class-weight", "balanced",
                   "--save", model, "--report", report])
    with open(report) as f:
        r = json.load(f)
    want_weights = compute_class_weight("balanced", classes=classes, y=y[train])
    weights_difference = float(np.max(np.abs(np.array(r["class_weights"]) - want_weights)))

    labels, proba = predicted(dnn, model, path, out_dir, name, classes)
    balanced = {part: float(balanced_accuracy_score(y[rows], labels[rows]))
                for part, rows in (("train", train), ("test", test))}
    balanced_difference = max(abs(r["balanced_accuracy"][p] - balanced[p]) for p in balanced)

    # The weighted cost of the saved model on the training part: `--from` it, one iteration.
    again = os.path.join(out_dir, f"{name}_again.json")
    run([dnn, "train", "--from", model, "--data", path, "--iterations", "1", "--class-weight",
         "balanced", "--quiet", "--save", os.path.join(out_dir, f"{name}_again.h5"),
         "--report", again])
    with open(again) as f:
        dnn_cost = json.load(f)["costs"][0][1]
    sample_weight = want_weights[np.searchsorted(classes, y[train])]
    sklearn_cost = float(log_loss(y[train], proba[train], sample_weight=sample_weight,
                                  labels=list(classes)))

    plain_model = os.path.join(out_dir, f"{name}_plain.h5")
    run([dnn, "train", "--data", path, *TRAIN, "--save", plain_model])
    plain_labels, _ = predicted(dnn, plain_model, path, out_dir, f"{name}_plain", classes)
    plain_balanced = float(balanced_accuracy_score(y[test], plain_labels[test]))

    return dict(table=name, rows=int(len(y)), classes=int(len(classes)),
                class_counts=np.bincount(y[train]).tolist(),
                dnn_class_weights=r["class_weights"], sklearn_class_weights=want_weights.tolist(),
                class_weights_max_abs_difference=weights_difference,
                dnn_balanced_accuracy=r["balanced_accuracy"], sklearn_balanced_accuracy=balanced,
                balanced_accuracy_max_abs_difference=balanced_difference,
                dnn_weighted_cost=dnn_cost, sklearn_weighted_log_loss=sklearn_cost,
                weighted_cost_difference=abs(dnn_cost - sklearn_cost),
                plain_test_balanced_accuracy=plain_balanced,
                printed=printed)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dnn", required=True, help="the dnn binary")
    ap.add_argument("--out", help="where the tables and models go (default: a temporary directory)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    out_dir = args.out or tempfile.mkdtemp(prefix="dnn-class-weights-")
    os.makedirs(out_dir, exist_ok=True)
    results = [compare(args.dnn, out_dir, *t) for t in tables()]
    print("| table | training classes | weights (dnn) | weights vs scikit-learn | balanced acc. "
          "test: weighted / plain | vs scikit-learn | weighted cost vs log_loss(sample_weight) |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        weights = ", ".join(f"{w:.4f}" for w in r["dnn_class_weights"])
        print(f"| {r['table']} | {r['class_counts']} | {weights} | "
              f"{r['class_weights_max_abs_difference']:.1e} | "
              f"{r['dnn_balanced_accuracy']['test']:.4f} / {r['plain_test_balanced_accuracy']:.4f} | "
              f"{r['balanced_accuracy_max_abs_difference']:.1e} | "
              f"{r['weighted_cost_difference']:.1e} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sklearn": __import__("sklearn").__version__, "results": results}, f,
                      indent=1)


if __name__ == "__main__":
    main()
