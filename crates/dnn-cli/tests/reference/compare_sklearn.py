#!/usr/bin/env python3
"""dnn against scikit-learn's MLPClassifier on the same tables, the same split and the same
set-up, and dnn evaluate's per-class report against scikit-learn's classification_report.

    python crates/dnn-cli/tests/reference/compare_sklearn.py --dnn target/release/dnn [--out DIR] [--json FILE]

For each table (scikit-learn's bundled breast-cancer and digits sets, a generated
make_classification set, and a generated mixed table with two text columns; nothing is
downloaded):
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
For the mixed table, scikit-learn one-hot encodes the text columns (OneHotEncoder with the
sorted values met, empty and NA cells and values never met as all zeros) and fills the missing
numbers of `f0` with its training mean (SimpleImputer; dnn train --fill-missing mean), and its
MLPClassifier trains on that. Then `dnn export` writes the model as ONNX, onnxruntime runs it on
scikit-learn's encoding of the table's rows (with a value training never met), and its
probabilities are compared with `dnn predict`'s on the raw rows (6 decimals).
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
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

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
    yield ("mixed", *mixed_table(), (16,))


# The mixed table's text columns: `colour` after a feature that make_classification makes
# informative, `size` after the class itself (with noise), each with missing cells.
COLOURS = ["blue", "green", "red", "yellow"]
SIZES = ["L", "M", "S", "XL"]
MISSING = {"", "NA"}


def mixed_table():
    """Four numbers and two text columns (`colour`, `size`) of 800 rows; the text is an
    object array, with empty and NA cells."""
    x, y = make_classification(n_samples=800, n_features=6, n_informative=4, n_redundant=0,
                               n_classes=2, class_sep=1.0, flip_y=0.05, random_state=3)
    rng = np.random.RandomState(7)
    colour = np.array([COLOURS[int(np.clip((v + 2) // 1, 0, 3))] for v in x[:, 4]], dtype=object)
    size = np.array([SIZES[(2 * label + rng.randint(2)) % 4] for label in y], dtype=object)
    for column in (colour, size):
        gone = rng.rand(len(y)) < 0.05
        column[gone] = np.where(rng.rand(gone.sum()) < 0.5, "", "NA")
    table = np.empty((len(y), 6), dtype=object)
    table[:, :4] = x[:, :4]
    table[rng.rand(len(y)) < 0.05, 0] = np.nan  # missing numbers, written as empty cells
    table[:, 4] = colour
    table[:, 5] = size
    return table, y


def text_columns(x):
    """The indices of a table's text columns (object arrays of strings)."""
    return [i for i in range(x.shape[1]) if isinstance(x[0, i], str)]


def encoder(x, rows, train):
    """scikit-learn's one-hot encoding of the text columns: the sorted values met in `rows`
    (the training part; missing cells are no value), anything else all zeros; the numbers
    pass through, their missing values filled with their mean over the `train` rows."""
    text = text_columns(x)
    if not text:
        return (lambda rows_x: rows_x.astype(float)), list(range(x.shape[1])), []
    numbers = [i for i in range(x.shape[1]) if i not in text]
    imputer = SimpleImputer(strategy="mean").fit(x[train][:, numbers].astype(float))
    categories = [sorted({v for v in x[rows, i] if v not in MISSING}) for i in text]
    one_hot = OneHotEncoder(categories=categories, handle_unknown="ignore", sparse_output=False)
    one_hot.fit(x[rows][:, text])

    def encode(rows_x):
        """In dnn's input order: each column where it stands, a text column's values in order."""
        encoded = one_hot.transform(rows_x[:, text])
        filled = imputer.transform(rows_x[:, numbers].astype(float))
        parts, at = [], 0
        for i in range(x.shape[1]):
            if i in text:
                k = len(categories[text.index(i)])
                parts.append(encoded[:, at:at + k])
                at += k
            else:
                parts.append(filled[:, [numbers.index(i)]])
        return np.hstack(parts)

    return encode, numbers, categories


def write_csv(path, x, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([column_name(x, i) for i in range(x.shape[1])] + ["label"])
        for row, label in zip(x, y):
            w.writerow([cell(v) for v in row] + [int(label)])


def cell(v):
    """A CSV cell: text as it is, a missing number empty, a number exactly."""
    if isinstance(v, str):
        return v
    return "" if np.isnan(v) else repr(float(v))


def column_name(x, i):
    names = {4: "colour", 5: "size"} if text_columns(x) else {}
    return names.get(i, f"f{i}")


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
         "--report", report, "--save", model]
        + (["--fill-missing", "mean"] if text_columns(x) else []))
    dnn_seconds = time.time() - started
    with open(report) as f:
        r = json.load(f)
    assert r["data"]["train_examples"] == len(train), (r["data"], len(train))
    assert r["data"]["test_examples"] == len(test), (r["data"], len(test))

    # The text values and the fill values are the training part's, as dnn's.
    encode, _, _ = encoder(x, train, train)
    x_encoded = encode(x)
    scaler = StandardScaler().fit(x_encoded[train])
    started = time.time()
    sk_accuracies = []
    for seed in SKLEARN_SEEDS:
        mlp = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                            learning_rate_init=LEARNING_RATE, batch_size=BATCH, max_iter=EPOCHS,
                            alpha=ALPHA, tol=0.0, n_iter_no_change=EPOCHS + 1, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: it ran all its epochs, as dnn
            mlp.fit(scaler.transform(x_encoded[train]), labels[train])
        sk_accuracies.append(float(mlp.score(scaler.transform(x_encoded[test]), labels[test])))
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
    onnx_difference = onnx_check(dnn, out_dir, name, model, x, encode) if text_columns(x) else None
    return dict(table=name, rows=int(len(y)), features=int(x.shape[1]), classes=int(len(classes)),
                inputs=int(x_encoded.shape[1]), dnn_inputs=int(r["layers"][0]),
                onnx_max_abs_difference=onnx_difference,
                hidden=list(hidden), train=len(train), test=len(test),
                dnn_test_accuracy=r["test_accuracy"], dnn_test_accuracy_from_predict=dnn_test_from_predict,
                sklearn_test_accuracy=sk_accuracy, sklearn_test_accuracies=sk_accuracies,
                difference_points=100 * (r["test_accuracy"] - sk_accuracy),
                report_max_abs_difference=worst, dnn_seconds=dnn_seconds, sklearn_seconds=sk_seconds)


def onnx_check(dnn, out_dir, name, model, x, encode):
    """The largest difference between `dnn predict`'s probabilities on raw rows and
    onnxruntime's on scikit-learn's encoding of them, the exported model's input."""
    import onnxruntime

    rows = x[:40].copy()
    rows[0, 4] = "purple"  # a value training never met
    rows[1, 5] = "XXL"
    rows[2, 0] = np.nan  # a missing number: the model fills it with the training mean
    path = os.path.join(out_dir, f"{name}_rows.csv")
    write_csv(path, rows, np.zeros(len(rows), dtype=int))
    predictions = os.path.join(out_dir, f"{name}_rows_predictions.csv")
    run([dnn, "predict", "--model", model, path, "--output", predictions])
    with open(predictions) as f:
        dnn_p = np.array([float(r["probability"]) for r in csv.DictReader(f)])
    exported = os.path.join(out_dir, f"{name}.onnx")
    run([dnn, "export", "--model", model, "--format", "onnx", "--output", exported])
    session = onnxruntime.InferenceSession(exported, providers=["CPUExecutionProvider"])
    feed = encode(rows).astype(np.float64)
    out = session.run(None, {session.get_inputs()[0].name: feed})[0][:, 0]
    onnx_p = np.where(out > 0.5, out, 1 - out)  # the predicted class's probability
    return float(np.max(np.abs(onnx_p - dnn_p)))


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
        if r["onnx_max_abs_difference"] is not None:
            print(f"{r['table']}: {r['inputs']} inputs after one-hot encoding; dnn predict vs "
                  f"onnxruntime on scikit-learn's encoding: {r['onnx_max_abs_difference']:.1e}")
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
