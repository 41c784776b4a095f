"""Expected output of dnn_data::toy: scikit-learn's make_moons / make_circles after
np.random.seed(s), written with exact float repr to toy_expected.json.

Run: `cargo xtask regen`, or (in a venv with xtask/requirements.txt's numpy and scikit-learn)
    python crates/dnn-data/tests/reference/gen_toy.py [--out DIR]
(default: next to this script, where toy_expected.json is committed).
"""

import argparse
import json
import os

import numpy as np
import sklearn
from sklearn.datasets import make_circles, make_moons

CASES = [
    # name, function, seed, kwargs
    ("moons_300_noise_0.2_seed_3", "moons", 3, dict(n_samples=300, noise=0.2)),
    ("moons_7_no_noise_seed_0", "moons", 0, dict(n_samples=7)),
    ("moons_11_unshuffled_noise_0.1_seed_5", "moons", 5, dict(n_samples=11, shuffle=False, noise=0.1)),
    ("circles_300_noise_0.05_factor_0.5_seed_1", "circles", 1, dict(n_samples=300, noise=0.05, factor=0.5)),
    ("circles_9_factor_0.8_seed_2", "circles", 2, dict(n_samples=9)),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                        help="directory to write toy_expected.json in (default: %(default)s)")
    args = parser.parse_args()
    out = {"numpy": np.__version__, "sklearn": sklearn.__version__, "cases": []}
    for name, kind, seed, kwargs in CASES:
        np.random.seed(seed)
        fn = make_moons if kind == "moons" else make_circles
        X, y = fn(**kwargs)
        after = np.random.randn(3)  # the global stream continues where the generator left it
        out["cases"].append({
            "name": name, "kind": kind, "seed": seed,
            "n": kwargs["n_samples"], "shuffle": kwargs.get("shuffle", True),
            "noise": kwargs.get("noise"), "factor": kwargs.get("factor", 0.8),
            "x": X.T.tolist(), "y": y.astype(float).tolist(), "randn_after": after.tolist(),
        })
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "toy_expected.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", path)


if __name__ == "__main__":
    main()
