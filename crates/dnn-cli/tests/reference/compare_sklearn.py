#!/usr/bin/env python3
"""dnn against scikit-learn's MLPClassifier on the same tables, the same split and the same
set-up, and dnn evaluate's per-class report against scikit-learn's classification_report.

    python crates/dnn-cli/tests/reference/compare_sklearn.py --dnn target/release/dnn [--out DIR] [--json FILE]

For each table (scikit-learn's bundled breast-cancer and digits sets, and a generated
make_classification set; nothing is downloaded):
  1. the table is written as a CSV (features f0..f{d-1}, then `label`);
  2. `dnn train` trains on it: the CSV's stratified 0.2 split (seed 0), standardised;
  3. scikit-learn computes the same split independently (dnn_split.py, from dnn's documented
     algorithm), fits StandardScaler on the training part, and trains MLPClassifier with the
     same hidden sizes, relu, Adam (lr 0.001, betas 0.9/0.999, eps 1e-8), mini-batches of 200,
     the same number of epochs and L2 alpha 1e-4, with random_state 0 and 1 (its accuracy
     is their mean); dnn uses Glorot-variance (xavier) weights as MLPClassifier does;
  4. `dnn predict` classifies every row, and scikit-learn's classification_report of those
     predictions on its test rows is compared with what `dnn evaluate` prints (4 digits), which
     also shows both sides split the rows alike.
Prints a table and, with --json, writes the numbers for crates/dnn-cli/tests/cli/sklearn.rs.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.metrics import precision_recall_fscore_support
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "dnn-data", "tests", "reference"))
from dnn_split import stratified_split  # noqa: E402

EPOCHS = 200  # MLPClassifier's default max_iter
BATCH = 200  # MLPClassifier's default batch size, min(200, n)
# MLPClassifier's result moves with its random_state by a point or two even on these tables;
# dnn is compared with the mean over these seeds (each one is in the JSON).
SKLEARN_SEEDS = (0, 1)
LEARNING_RATE = 0.001
ALPHA = 1e-4


def tables():
    x, y = load_breast_cancer(return_X_y=True)
    yield "breast_cancer", x, y, (16, 8)
    x, y = load_digits(return_X_y=True)
    yield "digits", x, y, (32,)
    x, y = make_classification(n_samples=1000, n_features=10, n_informative=5, n_classes=3,
                               n_clusters_per_class=1, class_sep=2.0, random_state=1)
    yield "make_classification", x, y, (16,)


def write_csv(path, x, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"f{i}" for i in range(x.shape[1])] + ["label"])
        for row, label in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [int(label)])


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr}")
    return out.stdout


def evaluate_report(text, classes):
    """{class: (precision, recall, f1, support)} from dnn evaluate's classification report."""
    rows = {}
    report = text[text.index("precision"):]
    for line in report.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] in classes:
            rows[parts[0]] = tuple(float(v) for v in parts[1:4]) + (int(parts[4]),)
    return rows


def compare(dnn, out_dir, name, x, y, hidden):
    path = os.path.join(out_dir, f"{name}.csv")
    write_csv(path, x, y)
    classes = np.unique(y)  # integers: dnn sorts them numerically too
    labels = np.searchsorted(classes, y)
    train, test = stratified_split(labels, len(classes), 0.2, 0)

    report = os.path.join(out_dir, f"{name}.json")
    model = os.path.join(out_dir, f"{name}.h5")
    started = time.time()
    run([dnn, "train", "--data", path, "--hidden", ",".join(map(str, hidden)),
         "--optimizer", "adam", "--learning-rate", str(LEARNING_RATE), "--batch-size", str(BATCH),
         "--epochs", str(EPOCHS), "--l2", str(ALPHA), "--init", "xavier", "--quiet",
         "--report", report, "--save", model])
    dnn_seconds = time.time() - started
    with open(report) as f:
        r = json.load(f)
    assert r["data"]["train_examples"] == len(train), (r["data"], len(train))
    assert r["data"]["test_examples"] == len(test), (r["data"], len(test))

    scaler = StandardScaler().fit(x[train])
    started = time.time()
    sk_accuracies = []
    for seed in SKLEARN_SEEDS:
        mlp = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                            learning_rate_init=LEARNING_RATE, batch_size=BATCH, max_iter=EPOCHS,
                            alpha=ALPHA, tol=0.0, n_iter_no_change=EPOCHS + 1, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: it ran all its epochs, as dnn
            mlp.fit(scaler.transform(x[train]), labels[train])
        sk_accuracies.append(float(mlp.score(scaler.transform(x[test]), labels[test])))
    sk_seconds = (time.time() - started) / len(SKLEARN_SEEDS)
    sk_accuracy = float(np.mean(sk_accuracies))

    # dnn predict on every row, scikit-learn's report on the test rows, dnn evaluate's text.
    predictions = os.path.join(out_dir, f"{name}_predictions.csv")
    run([dnn, "predict", "--model", model, path, "--output", predictions])
    with open(predictions) as f:
        rows = list(csv.DictReader(f))
    predicted = np.array([int(row["class"]) for row in rows])
    assert len(predicted) == len(y)
    dnn_test_from_predict = float(np.mean(predicted[test] == y[test]))
    evaluated = evaluate_report(run([dnn, "evaluate", "--model", model, "--data", path]),
                                [str(c) for c in classes])
    p, rc, f1, support = precision_recall_fscore_support(
        y[test], predicted[test], labels=classes, zero_division=0)
    worst = 0.0
    for k, c in enumerate(classes):
        got = evaluated[str(c)]
        if got[3] != support[k]:
            sys.exit(f"{name}: class {c}: dnn evaluate's support {got[3]}, scikit-learn's {support[k]}")
        worst = max(worst, abs(got[0] - p[k]), abs(got[1] - rc[k]), abs(got[2] - f1[k]))
    return dict(table=name, rows=int(len(y)), features=int(x.shape[1]), classes=int(len(classes)),
                hidden=list(hidden), train=len(train), test=len(test),
                dnn_test_accuracy=r["test_accuracy"], dnn_test_accuracy_from_predict=dnn_test_from_predict,
                sklearn_test_accuracy=sk_accuracy, sklearn_test_accuracies=sk_accuracies,
                difference_points=100 * (r["test_accuracy"] - sk_accuracy),
                report_max_abs_difference=worst, dnn_seconds=dnn_seconds, sklearn_seconds=sk_seconds)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dnn", required=True, help="the dnn binary")
    ap.add_argument("--out", help="where the tables, models and reports go (default: a temporary directory)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    out_dir = args.out or tempfile.mkdtemp(prefix="dnn-sklearn-")
    os.makedirs(out_dir, exist_ok=True)
    results = [compare(args.dnn, out_dir, *t) for t in tables()]
    print(f"Adam lr {LEARNING_RATE}, mini-batches of {BATCH}, {EPOCHS} epochs, L2 {ALPHA}; "
          "stratified 0.2 test split, seed 0; standardised")
    print("| table | rows x features | classes | hidden | dnn test acc | scikit-learn test acc "
          "(mean of random_state 0, 1) | difference (points) | evaluate vs classification_report "
          "| dnn train s | sklearn fit s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        seeds = ", ".join(f"{a:.4f}" for a in r["sklearn_test_accuracies"])
        print(f"| {r['table']} | {r['rows']} x {r['features']} | {r['classes']} | "
              f"{','.join(map(str, r['hidden']))} | {r['dnn_test_accuracy']:.4f} | "
              f"{r['sklearn_test_accuracy']:.4f} ({seeds}) | {r['difference_points']:+.2f} | "
              f"{r['report_max_abs_difference']:.1e} | {r['dnn_seconds']:.2f} | {r['sklearn_seconds']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sklearn": __import__("sklearn").__version__, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
