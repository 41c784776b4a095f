"""Expected weights of dnn_core::Init::Orthogonal, from numpy's QR.

For a layer of n_out units fed by n_in inputs: A = randn(max, min) after np.random.seed(s),
Q, R = np.linalg.qr(A) (reduced), columns of Q negated where diag(R) < 0, and W = Q, or Q.T
when the layer has fewer units than inputs. Writes tests/data/orthogonal.json.

Run: `cargo xtask regen`, or `python crates/dnn-core/tests/reference/gen_orthogonal.py [--out DIR]`
(default: the committed tests/data/).
"""

import argparse
import json
import os

import numpy as np

CASES = [(5, 3, 1), (3, 5, 2), (4, 4, 3), (12, 1, 4), (1, 6, 5)]  # (n_in, n_out, seed)


def orthogonal(n_in, n_out):
    a = np.random.randn(max(n_in, n_out), min(n_in, n_out))
    q, r = np.linalg.qr(a)
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
    return q if n_out >= n_in else q.T


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"),
                    help="directory to write orthogonal.json in (default: %(default)s)")
args = parser.parse_args()
out = []
for n_in, n_out, seed in CASES:
    np.random.seed(seed)
    out.append({"n_in": n_in, "n_out": n_out, "seed": seed, "w": orthogonal(n_in, n_out).tolist()})
os.makedirs(args.out, exist_ok=True)
path = os.path.join(args.out, "orthogonal.json")
with open(path, "w") as f:
    json.dump({"numpy": np.__version__, "cases": out}, f)
print("wrote", os.path.normpath(path))
