"""numpy reference for the identity output (regression), written to tests/data/regression.json.

A [4, 5, 2] network, relu hidden layer, identity output of two values, He initialisation after
np.random.seed(1); X = randn(4, 12) and the targets Y = 3 * randn(2, 12) after
np.random.seed(5); three gradient-descent steps at learning rate 0.1 with AL = Z[L],
J = (1/2m) Σ (AL - Y)², dZ[L] = AL - Y.

Run: `cargo xtask regen`, or `python crates/dnn-core/tests/reference/gen_regression.py [--out DIR]`
(default: the committed tests/data/).
"""

import argparse
import json
import os

import numpy as np

DIMS = [4, 5, 2]

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"),
                    help="directory to write regression.json in (default: %(default)s)")
args = parser.parse_args()

np.random.seed(5)
X = np.random.randn(4, 12)
Y = 3 * np.random.randn(2, 12)

np.random.seed(1)
params = [(np.random.randn(DIMS[l], DIMS[l - 1]) * np.sqrt(2 / DIMS[l - 1]), np.zeros((DIMS[l], 1)))
          for l in range(1, len(DIMS))]


def forward(params):
    (W1, b1), (W2, b2) = params
    A1 = np.maximum(0, np.dot(W1, X) + b1)
    return A1, np.dot(W2, A1) + b2


m = X.shape[1]
costs, history, initial = [], [], None
for step in range(3):
    A1, AL = forward(params)
    if initial is None:
        initial = AL.tolist()
    costs.append(float(np.sum((AL - Y) ** 2) / (2 * m)))
    (W1, b1), (W2, b2) = params
    dZ2 = AL - Y
    dW2 = 1 / m * np.dot(dZ2, A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (A1 > 0)
    dW1 = 1 / m * np.dot(dZ1, X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    params = [(W1 - 0.1 * dW1, b1 - 0.1 * db1), (W2 - 0.1 * dW2, b2 - 0.1 * db2)]
    history.append([[w.tolist(), b.tolist()] for w, b in params])

_, AL = forward(params)
out = {
    "numpy": np.__version__, "dims": DIMS, "x": X.tolist(), "y": Y.tolist(),
    "initial_outputs": initial, "costs": costs, "params": history, "final_outputs": AL.tolist(),
}
os.makedirs(args.out, exist_ok=True)
path = os.path.join(args.out, "regression.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(path))
