#!/usr/bin/env python3
"""Expected probability scores (probability_scores_expected.json) for
crates/dnn-report/tests/probability.rs: scikit-learn's log_loss, roc_auc_score and
average_precision_score of classifiers' probabilities, on cases drawn from a seeded numpy
generator and on hand-made edge cases (ties, certainty, a class missing from the part).

With two classes the scores rank the second class's probability (pos_label=1). With more,
ROC AUC is roc_auc_score(multi_class="ovr", average="macro") when every class is present, and
average precision average_precision_score(label_binarize(y), P, average="macro"); for a part
missing some class, both are the mean of the binary scores of the classes it has (scikit-learn
refuses that case). Where fewer than two classes are present, both are null.

    python crates/dnn-report/tests/reference/gen_probability_scores.py [--out DIR]
"""
import argparse
import json
import os

import numpy as np
from sklearn.metrics import average_precision_score, log_loss, roc_auc_score
from sklearn.preprocessing import label_binarize

HERE = os.path.dirname(os.path.abspath(__file__))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def scores(name, p, y):
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y)
    k = p.shape[1]
    present = sorted(set(int(v) for v in y))
    case = {
        "name": name,
        "probabilities": p.tolist(),
        "labels": [int(v) for v in y],
        "log_loss": float(log_loss(y, p, labels=list(range(k)))),
        "roc_auc": None,
        "average_precision": None,
        "classes_ranked": len(present),
    }
    if len(present) < 2:
        return case
    if k == 2:
        case["roc_auc"] = float(roc_auc_score(y == 1, p[:, 1]))
        case["average_precision"] = float(average_precision_score(y == 1, p[:, 1]))
    elif len(present) == k:
        case["roc_auc"] = float(roc_auc_score(y, p, multi_class="ovr", average="macro"))
        case["average_precision"] = float(
            average_precision_score(label_binarize(y, classes=list(range(k))), p, average="macro")
        )
    else:
        case["roc_auc"] = float(np.mean([roc_auc_score(y == c, p[:, c]) for c in present]))
        case["average_precision"] = float(
            np.mean([average_precision_score(y == c, p[:, c]) for c in present])
        )
    return case


def cases():
    rng = np.random.default_rng(20261201)
    out = []
    # Binary: a sigmoid's probabilities, informative, then with many ties (rounded to 1 digit).
    for n in (10, 57, 300):
        y = rng.integers(0, 2, n)
        z = rng.normal(size=n) + 1.5 * (y - 0.5)
        q = 1 / (1 + np.exp(-z))
        out.append(scores(f"binary_{n}", np.stack([1 - q, q], axis=1), y))
        r = np.round(q, 1)
        out.append(scores(f"binary_{n}_ties", np.stack([1 - r, r], axis=1), y))
    # Imbalanced: 5 positives in 200.
    y = np.zeros(200, dtype=int)
    y[rng.choice(200, 5, replace=False)] = 1
    q = 1 / (1 + np.exp(-(rng.normal(size=200) + 2.0 * y - 2.0)))
    out.append(scores("binary_imbalanced", np.stack([1 - q, q], axis=1), y))
    # Softmax over 3, 5 and 10 classes, every class present.
    for k, n in ((3, 30), (5, 100), (10, 150)):
        y = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
        z = rng.normal(size=(n, k))
        z[np.arange(n), y] += 1.0
        out.append(scores(f"softmax_{k}_{n}", softmax(z), y))
    # A part missing a class (4 classes, labels of 3).
    y = rng.integers(0, 3, 40)
    z = rng.normal(size=(40, 4))
    z[np.arange(40), y] += 1.5
    out.append(scores("softmax_missing_class", softmax(z), y))
    # Hand-made: all tied; certain and right; certain and wrong (log loss clipped at ε);
    # scikit-learn's documented examples; one class only; a two-class part of a 3-class model.
    out.append(scores("all_tied", [[0.5, 0.5]] * 6, [0, 1, 1, 0, 1, 0]))
    out.append(scores("certain_right", [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], [0, 1, 1]))
    out.append(scores("certain_wrong", [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], [1, 0, 0]))
    out.append(
        scores("sklearn_log_loss_doc", [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]], [1, 0, 0, 1])
    )
    out.append(scores("sklearn_auc_doc", [[0.9, 0.1], [0.6, 0.4], [0.65, 0.35], [0.2, 0.8]], [0, 0, 1, 1]))
    out.append(scores("one_class", [[0.3, 0.7], [0.6, 0.4]], [1, 1]))
    out.append(scores("two_of_three", [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.4, 0.4, 0.2]], [0, 1, 0]))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()
    path = os.path.join(args.out, "probability_scores_expected.json")
    with open(path, "w") as f:
        # One case per line: small to diff, and the file stays readable.
        f.write('{"cases": [\n')
        f.write(",\n".join(json.dumps(c) for c in cases()))
        f.write("\n]}\n")


if __name__ == "__main__":
    main()
