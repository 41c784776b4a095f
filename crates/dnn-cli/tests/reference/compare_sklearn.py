#!/usr/bin/env python3
"""dnn against scikit-learn's MLPClassifier and MLPRegressor on the same tables, the same split
and the same set-up, dnn evaluate's per-class report against scikit-learn's
classification_report, and dnn's regression metrics against scikit-learn's.

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
     also shows both sides split the rows alike; and scikit-learn's log_loss, roc_auc_score and
     average_precision_score of `dnn predict --probabilities` on the training and test rows
     with what `dnn evaluate --report` records of them (and prints, 4 decimals); with two
     classes, also `dnn evaluate --threshold 0.3`'s report against scikit-learn's of
     `p(class 1) > 0.3`.
For the mixed table, scikit-learn one-hot encodes the text columns (OneHotEncoder with the
sorted values met, empty and NA cells and values never met as all zeros) and fills the missing
numbers of `f0` with its training mean (SimpleImputer; dnn train --fill-missing mean), and its
MLPClassifier trains on that. Then `dnn export` writes the model as ONNX, onnxruntime runs it on
scikit-learn's encoding of the table's rows (with a value training never met), and its
probabilities are compared with `dnn predict`'s on the raw rows (6 decimals).

Then two regressions, scikit-learn's bundled diabetes set (442 x 10; its target is integers,
but 214 different ones, so dnn makes it a regression by itself, as it does Friedman's floats)
and make_friedman1 (1000 x 10, noise 1.0, random_state 0):
  1. the table is written as a CSV (features f0..f9, then the target `y`);
  2. `dnn train --target y` (hidden 32,16, Adam lr 0.001, mini-batches of 32, L2 1e-4, xavier
     weights, seed 1; 30 epochs on diabetes, which overfits after that on both sides, 100 on
     Friedman #1) makes its ShuffleSplit 0.2 split (seed 0) and z-scores inputs and target;
  3. scikit-learn splits with ShuffleSplit(n_splits=1, test_size=0.2, random_state=0) (indices
     sorted), fits StandardScaler on the training part, and trains
     TransformedTargetRegressor(MLPRegressor(the same set-up), StandardScaler()) with
     random_state 0 to 4; its test R² is their mean (a single run's moves by 0.03 on
     diabetes with the seed, as does dnn's);
  4. `dnn predict` values every row, and the test rows alone (written with the target first
     and the features reversed); scikit-learn's r2_score, mean_squared_error and
     mean_absolute_error of those values are compared with the R², RMSE and MAE dnn train
     reported (which also shows both sides split the rows alike), as are the target's mean and
     standard deviation dnn z-scored with and numpy's over the training part;
  5. `dnn export` writes the model as ONNX, and onnxruntime's `values` on the raw test rows are
     compared with dnn predict's: in float64, and for Friedman #1 once more for a model trained
     with --dtype f32, whose graph z-scores the raw rows in float64, runs the network in
     float32 and undoes the target's z-score in float64, as dnn predict does.
Measured (scikit-learn 1.9.1, onnxruntime on x86-64): test R² dnn 0.3246 vs scikit-learn
0.3416 (0.3007 to 0.3995 over its seeds; linear regression 0.3322: this split is a hard one)
on diabetes, dnn 0.8997 vs 0.9006 on Friedman #1 (linear 0.7316); dnn's R², RMSE and MAE
against scikit-learn's on predict's values within 8e-16; ONNX against predict 0 in f64 and 0
in f32 (onnxruntime 1.32.0; the graph z-scores the raw rows in float64 as dnn does).
Prints tables and, with --json, writes the numbers for crates/dnn-cli/tests/cli/sklearn.rs.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (load_breast_cancer, load_diabetes, load_digits, make_classification,
                              make_friedman1)
from sklearn.linear_model import LinearRegression
from sklearn.metrics import (average_precision_score, classification_report, log_loss,
                             mean_absolute_error, mean_squared_error, r2_score, roc_auc_score)
from sklearn.model_selection import ShuffleSplit
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler, label_binarize

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
    """{class or "macro avg" or "weighted avg": (precision, recall, f1, support)} from dnn
    evaluate's classification report."""
    rows = {}
    report = text[text.index("precision"):]
    for line in report.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] in classes:
            rows[parts[0]] = tuple(float(v) for v in parts[1:4]) + (int(parts[4]),)
        if len(parts) == 6 and parts[1] == "avg":
            rows[" ".join(parts[:2])] = tuple(float(v) for v in parts[2:5]) + (int(parts[5]),)
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
    run([dnn, "predict", "--model", model, path, "--output", predictions, "--probabilities"])
    with open(predictions) as f:
        rows = list(csv.DictReader(f))
    predicted = np.array([int(row["class"]) for row in rows])
    assert len(predicted) == len(y)
    proba = np.array([[float(row[f"probability_{c}"]) for c in classes] for row in rows])
    dnn_test_from_predict = float(np.mean(predicted[test] == y[test]))
    evaluation = os.path.join(out_dir, f"{name}_evaluation.json")
    printed = run([dnn, "evaluate", "--model", model, "--data", path, "--report", evaluation])
    evaluated = evaluate_report(printed, [str(c) for c in classes])
    with open(evaluation) as f:
        parts = {p["name"]: p for p in json.load(f)["parts"]}
    probability_worst, printed_worst = 0.0, 0.0
    for part, indices in (("train", train), ("test", test)):
        want = probability_scores(labels[indices], proba[indices])
        got = parts[part]["probabilities"]
        row = next(line.split() for line in printed.splitlines()
                   if line.startswith(part.capitalize() + " ") and len(line.split()) == 4)
        for i, key in enumerate(("log_loss", "roc_auc", "average_precision")):
            probability_worst = max(probability_worst, abs(got[key] - want[key]))
            printed_worst = max(printed_worst, abs(float(row[i + 1]) - got[key]))
    # scikit-learn's report covers the classes in the labels or the predictions, as dnn's.
    expected = classification_report(y[test], predicted[test], output_dict=True, zero_division=0)
    expected.pop("accuracy")
    if sorted(evaluated) != sorted(expected):
        sys.exit(f"{name}: dnn evaluate's rows {sorted(evaluated)}, scikit-learn's {sorted(expected)}")
    worst = 0.0
    for row, want in expected.items():
        got = evaluated[row]
        if got[3] != want["support"]:
            sys.exit(f"{name}: {row}: dnn evaluate's support {got[3]}, scikit-learn's {want['support']}")
        worst = max(worst, abs(got[0] - want["precision"]), abs(got[1] - want["recall"]),
                    abs(got[2] - want["f1-score"]))
    # Two classes: evaluate --threshold 0.3 against scikit-learn's report of `p(class 1) > 0.3`
    # (FixedThresholdClassifier's rule, but strict, as dnn's 0.5) of predict's probabilities.
    threshold_worst = None
    if len(classes) == 2:
        at = evaluate_report(run([dnn, "evaluate", "--model", model, "--data", path,
                                  "--threshold", "0.3"]), [str(c) for c in classes])
        thresholded = classes[(proba[:, 1] > 0.3).astype(int)]
        expected = classification_report(y[test], thresholded[test], output_dict=True,
                                         zero_division=0)
        expected.pop("accuracy")
        threshold_worst = 0.0
        for row, want in expected.items():
            got = at[row]
            if got[3] != want["support"]:
                sys.exit(f"{name} at 0.3: {row}: support {got[3]}, scikit-learn's {want['support']}")
            threshold_worst = max(threshold_worst, abs(got[0] - want["precision"]),
                                  abs(got[1] - want["recall"]), abs(got[2] - want["f1-score"]))
        moved = int(np.sum(thresholded[test] != predicted[test]))
    onnx_difference = onnx_check(dnn, out_dir, name, model, x, encode) if text_columns(x) else None
    return dict(table=name, rows=int(len(y)), features=int(x.shape[1]), classes=int(len(classes)),
                inputs=int(x_encoded.shape[1]), dnn_inputs=int(r["layers"][0]),
                onnx_max_abs_difference=onnx_difference,
                hidden=list(hidden), train=len(train), test=len(test),
                dnn_test_accuracy=r["test_accuracy"], dnn_test_accuracy_from_predict=dnn_test_from_predict,
                sklearn_test_accuracy=sk_accuracy, sklearn_test_accuracies=sk_accuracies,
                difference_points=100 * (r["test_accuracy"] - sk_accuracy),
                report_max_abs_difference=worst, dnn_seconds=dnn_seconds, sklearn_seconds=sk_seconds,
                probability_max_abs_difference=probability_worst,
                probability_printed_max_abs_difference=printed_worst,
                threshold_report_max_abs_difference=threshold_worst,
                threshold_moved_test_answers=moved if threshold_worst is not None else None)


def probability_scores(labels, proba):
    """scikit-learn's log loss, ROC AUC and average precision of a part's probabilities (every
    class has examples in these parts): with two classes, of the second class's probability;
    with more, each class against the rest, averaged over the classes (macro)."""
    k = proba.shape[1]
    scores = {"log_loss": log_loss(labels, proba, labels=list(range(k)))}
    if k == 2:
        scores["roc_auc"] = roc_auc_score(labels == 1, proba[:, 1])
        scores["average_precision"] = average_precision_score(labels == 1, proba[:, 1])
    else:
        scores["roc_auc"] = roc_auc_score(labels, proba, multi_class="ovr", average="macro",
                                          labels=list(range(k)))
        scores["average_precision"] = average_precision_score(
            label_binarize(labels, classes=list(range(k))), proba, average="macro")
    return {key: float(v) for key, v in scores.items()}


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


# Regressions: dnn and scikit-learn's MLPRegressor (in a TransformedTargetRegressor that
# z-scores the target, as dnn does) with the classifiers' Adam set-up, L2 alpha and
# Glorot-variance weights, but hidden layers 32,16 and mini-batches of 32.
REGRESSION_HIDDEN = (32, 16)
REGRESSION_BATCH = 32
REGRESSION_LEARNING_RATE = 0.001
REGRESSION_TEST_SIZE = 0.2
REGRESSION_SPLIT_SEED = 0
DNN_SEED = 1
# A single MLPRegressor's test R² on diabetes moves by 0.03 (one standard deviation) with its
# random_state, and so does dnn's with --seed; dnn's is compared with the mean over these.
REGRESSION_SKLEARN_SEEDS = (0, 1, 2, 3, 4)
TARGET = "y"


def regression_tables():
    """(name, x, y, epochs, whether to also train in f32). Diabetes (353 training rows)
    overfits after a few tens of epochs on both sides; Friedman #1 improves up to about 100."""
    x, y = load_diabetes(return_X_y=True)
    yield "diabetes", x, y, 30, False
    x, y = make_friedman1(n_samples=1000, n_features=10, noise=1.0, random_state=0)
    yield "friedman1", x, y, 100, True


def is_continuous(y):
    """Whether dnn's --task auto makes `y` a regression target: a value with a fraction
    (scikit-learn's type_of_target `continuous`), or more than 100 distinct integers."""
    return bool(np.any(np.mod(y, 1) != 0)) or len(np.unique(y)) > 100


def write_regression_csv(path, x, y, columns=None):
    """Features f0..f{d-1} and the target `y`, exactly; `columns` (names) orders them."""
    names = [f"f{i}" for i in range(x.shape[1])] + [TARGET]
    table = np.column_stack([x, y])
    order = [names.index(c) for c in columns] if columns else range(len(names))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([names[i] for i in order])
        for row in table:
            w.writerow([repr(float(row[i])) for i in order])


def predicted_values(dnn, model, path, output):
    """`dnn predict`'s values for the rows of `path`: a CSV `row,y`, rows numbered from 1."""
    run([dnn, "predict", "--model", model, path, "--output", output])
    with open(output) as f:
        reader = csv.reader(f)
        header = next(reader)
        lines = list(reader)
    assert header == ["row", TARGET], header
    assert [int(line[0]) for line in lines] == list(range(1, len(lines) + 1)), output
    return np.array([float(line[1]) for line in lines])


def relative_difference(got, want, scale):
    """The largest |got - want| relative to max(|want|, scale): `scale` is the target's
    standard deviation, so that a value near 0 (whose error is that of `z * std + mean`)
    does not blow the ratio up."""
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), scale)))


def relative(a, b):
    return abs(a - b) / abs(b)


def train_regression(dnn, out_dir, tag, path, epochs, dtype, auto):
    """Trains dnn on `path`; (its report, the model's path, what it printed, seconds)."""
    report = os.path.join(out_dir, f"{tag}.json")
    model = os.path.join(out_dir, f"{tag}.h5")
    started = time.time()
    printed = run([dnn, "train", "--data", path, "--target", TARGET,
                   "--hidden", ",".join(map(str, REGRESSION_HIDDEN)), "--optimizer", "adam",
                   "--learning-rate", str(REGRESSION_LEARNING_RATE),
                   "--batch-size", str(REGRESSION_BATCH), "--epochs", str(epochs),
                   "--l2", str(ALPHA), "--init", "xavier", "--seed", str(DNN_SEED),
                   "--dtype", dtype, "--quiet", "--report", report, "--save", model]
                  + ([] if auto else ["--task", "regress"]))
    seconds = time.time() - started
    with open(report) as f:
        r = json.load(f)
    assert "regression" in r, f"{tag}: dnn did not train a regression: {sorted(r)}"
    assert "train_accuracy" not in r and "test_accuracy" not in r, f"{tag}: {sorted(r)}"
    return r, model, printed, seconds


def onnx_values(dnn, out_dir, tag, model, rows, dtype):
    """onnxruntime's values of the exported `model` on the raw `rows` (in the model's
    column order), as float64."""
    import onnxruntime

    exported = os.path.join(out_dir, f"{tag}.onnx")
    run([dnn, "export", "--model", model, "--format", "onnx", "--output", exported])
    session = onnxruntime.InferenceSession(exported, providers=["CPUExecutionProvider"])
    (given,), (output,) = session.get_inputs(), session.get_outputs()
    # x is double for an f64 model and for an f32 model that standardises its inputs, as
    # every model here does: dnn z-scores in float64 and rounds the result to float32, and
    # the graph does the same (a float x would round the raw values first).
    assert dtype in ("f64", "f32"), dtype
    assert given.name == "x" and given.shape[1] == rows.shape[1] and given.type == "tensor(double)", given
    # A regression's values are double whatever the network's dtype: the graph undoes the
    # target's z-score in float64, as dnn predict does.
    assert output.name == "values" and output.shape[1] == 1 and output.type == "tensor(double)", output
    feed = rows.astype(np.float64)
    out = session.run(["values"], {"x": feed})[0]
    assert out.shape == (len(rows), 1), out.shape
    return out[:, 0].astype(np.float64)


def compare_regression(dnn, out_dir, name, x, y, epochs, with_f32):
    path = os.path.join(out_dir, f"{name}.csv")
    write_regression_csv(path, x, y)
    auto = is_continuous(y)
    split = ShuffleSplit(n_splits=1, test_size=REGRESSION_TEST_SIZE,
                         random_state=REGRESSION_SPLIT_SEED)
    train, test = (np.sort(part) for part in next(split.split(x)))

    r, model, printed, dnn_seconds = train_regression(dnn, out_dir, name, path, epochs, "f64", auto)
    assert r["data"]["train_examples"] == len(train), (r["data"], len(train))
    assert r["data"]["test_examples"] == len(test), (r["data"], len(test))
    reg = r["regression"]
    scale_difference = max(relative(reg["target_mean"], float(np.mean(y[train]))),
                           relative(reg["target_std"], float(np.std(y[train]))))
    line = re.search(r"^Test R²: (\S+) \(RMSE (\S+), MAE (\S+), (\d+) examples\)$", printed, re.M)
    assert line, f"{name}: no Test R² line in dnn train's output:\n{printed}"
    assert int(line[4]) == len(test), line[0]
    printed_r2_difference = abs(float(line[1]) - reg["test"]["r2"])

    # scikit-learn on the same split, standardised on the training part.
    scaler = StandardScaler().fit(x[train])
    started = time.time()
    sk_r2s = []
    for seed in REGRESSION_SKLEARN_SEEDS:
        mlp = TransformedTargetRegressor(
            regressor=MLPRegressor(hidden_layer_sizes=REGRESSION_HIDDEN, activation="relu",
                                   solver="adam", learning_rate_init=REGRESSION_LEARNING_RATE,
                                   batch_size=REGRESSION_BATCH, max_iter=epochs, alpha=ALPHA,
                                   tol=0.0, n_iter_no_change=epochs + 1, random_state=seed),
            transformer=StandardScaler())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: it ran all its epochs, as dnn
            mlp.fit(scaler.transform(x[train]), y[train])
        sk_r2s.append(float(r2_score(y[test], mlp.predict(scaler.transform(x[test])))))
    sk_seconds = (time.time() - started) / len(REGRESSION_SKLEARN_SEEDS)
    sk_r2 = float(np.mean(sk_r2s))
    linear_r2 = float(r2_score(y[test], LinearRegression().fit(x[train], y[train]).predict(x[test])))

    # dnn predict: every row of the table (for the training part's metrics), and the test rows
    # alone, the target first and the features reversed (predict matches them by name).
    values = predicted_values(dnn, model, path, os.path.join(out_dir, f"{name}_predictions.csv"))
    assert len(values) == len(y)
    test_rows = os.path.join(out_dir, f"{name}_test_rows.csv")
    write_regression_csv(test_rows, x[test], y[test],
                         [TARGET] + [f"f{i}" for i in reversed(range(x.shape[1]))])
    test_values = predicted_values(dnn, model, test_rows,
                                   os.path.join(out_dir, f"{name}_test_rows_predictions.csv"))
    test_rows_difference = relative_difference(test_values, values[test], reg["target_std"])
    metric_differences = {}
    for part, rows, got in (("train", train, values[train]), ("test", test, test_values)):
        m = reg[part]
        assert m["examples"] == len(rows), (part, m)
        metric_differences[part] = dict(
            r2=abs(m["r2"] - float(r2_score(y[rows], got))),
            rmse=relative(m["rmse"], float(np.sqrt(mean_squared_error(y[rows], got)))),
            mae=relative(m["mae"], float(mean_absolute_error(y[rows], got))))

    # ONNX: onnxruntime on the raw test rows against dnn predict's values.
    std = reg["target_std"]
    onnx_f64 = relative_difference(onnx_values(dnn, out_dir, name, model, x[test], "f64"),
                                   test_values, std)
    f32 = None
    if with_f32:
        r32, model32, _, _ = train_regression(dnn, out_dir, f"{name}_f32", path, epochs, "f32", auto)
        values32 = predicted_values(dnn, model32, test_rows,
                                    os.path.join(out_dir, f"{name}_f32_test_rows_predictions.csv"))
        f32 = dict(
            dnn_test_r2=r32["regression"]["test"]["r2"],
            predict_r2_difference=abs(r32["regression"]["test"]["r2"] - float(r2_score(y[test], values32))),
            onnx_max_relative_difference=relative_difference(
                onnx_values(dnn, out_dir, f"{name}_f32", model32, x[test], "f32"), values32, std))
    return dict(table=name, rows=int(len(y)), features=int(x.shape[1]),
                distinct_targets=int(len(np.unique(y))), task="auto" if auto else "regress",
                hidden=list(REGRESSION_HIDDEN), epochs=epochs, train=int(len(train)), test=int(len(test)),
                dnn_train_examples=r["data"]["train_examples"], dnn_test_examples=r["data"]["test_examples"],
                dnn_train_r2=reg["train"]["r2"], dnn_test_r2=reg["test"]["r2"],
                dnn_test_rmse=reg["test"]["rmse"], dnn_test_mae=reg["test"]["mae"],
                sklearn_test_r2=sk_r2, sklearn_test_r2s=sk_r2s, linear_test_r2=linear_r2,
                r2_difference=reg["test"]["r2"] - sk_r2,
                target_scale_relative_difference=scale_difference,
                printed_r2_difference=printed_r2_difference,
                test_rows_max_relative_difference=test_rows_difference,
                predict_metric_differences=metric_differences,
                onnx_max_relative_difference=onnx_f64, f32=f32,
                dnn_seconds=dnn_seconds, sklearn_seconds=sk_seconds)


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
          "| evaluate's log loss, ROC AUC, AP vs scikit-learn's | dnn train s | sklearn fit s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if r["onnx_max_abs_difference"] is not None:
            print(f"{r['table']}: {r['inputs']} inputs after one-hot encoding; dnn predict vs "
                  f"onnxruntime on scikit-learn's encoding: {r['onnx_max_abs_difference']:.1e}")
    for r in results:
        seeds = ", ".join(f"{a:.4f}" for a in r["sklearn_test_accuracies"])
        print(f"| {r['table']} | {r['rows']} x {r['features']} | {r['classes']} | "
              f"{','.join(map(str, r['hidden']))} | {r['dnn_test_accuracy']:.4f} | "
              f"{r['sklearn_test_accuracy']:.4f} ({seeds}) | {r['difference_points']:+.2f} | "
              f"{r['report_max_abs_difference']:.1e} | {r['probability_max_abs_difference']:.1e} | "
              f"{r['dnn_seconds']:.2f} | {r['sklearn_seconds']:.2f} |")
    regressions = [compare_regression(args.dnn, out_dir, *t) for t in regression_tables()]
    print()
    print(f"Regressions: Adam lr {REGRESSION_LEARNING_RATE}, mini-batches of {REGRESSION_BATCH}, "
          f"L2 {ALPHA}, hidden {','.join(map(str, REGRESSION_HIDDEN))}; ShuffleSplit test_size "
          f"{REGRESSION_TEST_SIZE}, seed {REGRESSION_SPLIT_SEED}; inputs and target standardised")
    seeds = ", ".join(map(str, REGRESSION_SKLEARN_SEEDS))
    print(f"| table | rows x features | epochs | dnn test R² | scikit-learn test R² (mean of "
          f"random_state {seeds}) | difference | linear regression | predict vs report (R², "
          "RMSE, MAE) | ONNX vs predict (f64) | dnn train s | sklearn fit s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in regressions:
        sk = ", ".join(f"{v:.4f}" for v in r["sklearn_test_r2s"])
        worst = max(max(d.values()) for d in r["predict_metric_differences"].values())
        print(f"| {r['table']} | {r['rows']} x {r['features']} | {r['epochs']} | "
              f"{r['dnn_test_r2']:.4f} | {r['sklearn_test_r2']:.4f} ({sk}) | "
              f"{r['r2_difference']:+.4f} | {r['linear_test_r2']:.4f} | {worst:.1e} | "
              f"{r['onnx_max_relative_difference']:.1e} | {r['dnn_seconds']:.2f} | "
              f"{r['sklearn_seconds']:.2f} |")
    for r in regressions:
        if r["f32"]:
            print(f"{r['table']} in f32: dnn test R² {r['f32']['dnn_test_r2']:.4f}; onnxruntime "
                  f"(f32 model) vs dnn predict: {r['f32']['onnx_max_relative_difference']:.1e} relative")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sklearn": __import__("sklearn").__version__, "results": results,
                       "regressions": regressions}, f, indent=1)


if __name__ == "__main__":
    main()
