"""numpy reference for the softmax output (multi-class), written to tests/data/softmax.json.

A [4, 5, 3] network, relu hidden layer, softmax output, He initialisation after
np.random.seed(1); X = randn(4, 12) and labels floor(3 * rand(12)) after np.random.seed(4),
one-hot Y; three gradient-descent steps at learning rate 0.5 with
AL = exp(Z - max) / Σ exp(Z - max) per column, J = -(1/m) Σ Y log(AL), dZ[L] = AL - Y.

Run: `cargo xtask regen`, or `python crates/dnn-core/tests/reference/gen_softmax.py [--out DIR]`
(default: the committed tests/data/).
"""

import argparse
import json
import os

import numpy as np

DIMS = [4, 5, 3]

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"),
                    help="directory to write softmax.json in (default: %(default)s)")
args = parser.parse_args()

np.random.seed(4)
X = np.random.randn(4, 12)
labels = np.floor(3 * np.random.rand(12)).astype(int)
Y = np.eye(3)[:, labels]

np.random.seed(1)
params = [(np.random.randn(DIMS[l], DIMS[l - 1]) * np.sqrt(2 / DIMS[l - 1]), np.zeros((DIMS[l], 1)))
          for l in range(1, len(DIMS))]


def forward(params):
    (W1, b1), (W2, b2) = params
    A1 = np.maximum(0, np.dot(W1, X) + b1)
    Z2 = np.dot(W2, A1) + b2
    E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    return A1, E / E.sum(axis=0, keepdims=True)


m = X.shape[1]
costs, history, probas = [], [], None
for step in range(3):
    A1, AL = forward(params)
    if probas is None:
        probas = AL.tolist()
    costs.append(float(-np.sum(Y * np.log(AL)) / m))
    (W1, b1), (W2, b2) = params
    dZ2 = AL - Y
    dW2 = 1 / m * np.dot(dZ2, A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (A1 > 0)
    dW1 = 1 / m * np.dot(dZ1, X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    params = [(W1 - 0.5 * dW1, b1 - 0.5 * db1), (W2 - 0.5 * dW2, b2 - 0.5 * db2)]
    history.append([[w.tolist(), b.tolist()] for w, b in params])

_, AL = forward(params)
out = {
    "numpy": np.__version__, "dims": DIMS, "x": X.tolist(), "labels": labels.tolist(),
    "initial_probabilities": probas, "costs": costs, "params": history,
    "final_classes": np.argmax(AL, axis=0).tolist(),
}
os.makedirs(args.out, exist_ok=True)
path = os.path.join(args.out, "softmax.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(path))
