"""numpy reference for early stopping on a validation set, written to tests/data/early_stopping.json.

A [4, 6, 1] network, relu hidden layer, sigmoid output, He initialisation after
np.random.seed(3): W[l] = randn(n[l], n[l-1]) * sqrt(2 / n[l-1]), b[l] = 0. After
np.random.seed(2): a training set X = randn(4, 30) and a validation set X_val = randn(4, 30), each
labelled by the rule x0 - x1 + 0.5 x2 > 0 with a fifth of its labels flipped (rand < 0.2), so the
network overfits and the validation cost turns up.

Three trainings, each for up to a planned number of iterations (epochs, with mini-batches), all
with min_delta = 1e-3:
  * "gd": full-batch gradient descent at learning rate 0.3, patience 10;
  * "adam": Adam (β1 0.9, β2 0.999, ε 1e-8, t counting updates from 1) at learning rate 0.01 on
    mini-batches of 8, epoch e shuffled as np.random.seed(11 + e); permutation(m), complete batches
    then the rest; patience 5;
  * "l2_dropout": full-batch gradient descent at learning rate 0.3 with L2 λ = 0.5
    (J += (1/m)(λ/2) Σ‖W‖², dW += (λ/m) W) and inverted dropout on the hidden layer, keep_prob 0.9
    (D = rand(A.shape) < keep_prob from RandomState(5), one continuing stream, A = A D / keep_prob,
    the same in the backward pass); patience 8.
The gradients are the course's: dZ[L] = (AL - Y) / m, dW = dZ A_prevᵀ, db = Σ dZ.

After every iteration the validation cost is the data cost only, J_val = -(1/m_val) Σ (Y log AL +
(1 - Y) log(1 - AL)) of the parameters as that iteration left them (no L2 term, no dropout), and
early stopping is: an iteration improves iff J_val < J_lowest - min_delta (J_lowest the lowest
cost before it; the first iteration does if its cost is finite); training stops after the
iteration that makes `patience` iterations in a row without an improvement (Keras'
EarlyStopping(monitor="val_loss", patience, min_delta) count); the parameters of the iteration
with the lowest J_val (the first of a tie), improvement or not, are put back (scikit-learn's
MLPClassifier(early_stopping=True) choice, where Keras' restore_best_weights keeps the last
iteration that improved). With min_delta = 0 that is Keras' rule exactly. The script asserts that
each case stops before its planned iterations, that some iteration is a new lowest by less than
min_delta (so it is kept without resetting the patience: min_delta matters, and the rule
without it stops elsewhere), that no comparison of the rule is within 1e-9 of a tie, and, for
"l2_dropout", that the L2 term would change the validation costs.

Each case records its settings; the training costs (each epoch's, weighted over its batches, with
the L2 term and dropout) and the validation costs up to the stop; "best" and "best_cost";
"stopped_at"; "undercut" (the iterations that were a new lowest by less than min_delta); where the rule
with min_delta = 0 would have its best and stop; and the parameters as training left them at the
stop ("final") and as restored ("restored", the best iteration's), each layer as [W, b].

Run: `cargo xtask regen`, or `python crates/dnn-core/tests/reference/gen_early_stopping.py [--out DIR]`
(default: the committed tests/data/).
"""

import argparse
import json
import os

import numpy as np

# The course's network, as the optimiser fixtures compute it.
from gen_improving import backward, he, listify
from gen_improving import forward as forward_with_masks

DIMS = [4, 6, 1]
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8


def noisy(x):
    clean = (x[0] - x[1] + 0.5 * x[2] > 0).astype(float)
    flip = (np.random.rand(x.shape[1]) < 0.2).astype(float)
    return np.abs(clean - flip).reshape(1, -1)


def data(seed=2, m=30, m_val=30):
    np.random.seed(seed)
    x = np.random.randn(DIMS[0], m)
    y = noisy(x)
    x_val = np.random.randn(DIMS[0], m_val)
    y_val = noisy(x_val)
    return x, y, x_val, y_val


def forward(x, params, keep_prob=None, rng=None):
    al, caches, _ = forward_with_masks(x, params, keep_prob, rng)
    return al, caches


def cross_entropy(al, y):
    return float(-np.sum(y * np.log(al) + (1 - y) * np.log(1 - al)) / y.shape[1])


def l2_term(params, lambd, m):
    return (1 / m) * (lambd / 2) * sum(np.sum(np.square(w)) for w, _ in params)


def batches(m, size, seed):
    if size is None or size >= m:
        return [list(range(m))]
    np.random.seed(seed)
    perm = list(np.random.permutation(m))
    return [perm[k:k + size] for k in range(0, m, size)]


def train(x, y, x_val, y_val, iterations, lr, optimizer="gd", batch=None, shuffle_seed=11, lambd=0.0,
          keep_prob=None, dropout_seed=5):
    """Trains for up to `iterations`, one at a time as the caller asks (a generator); yields the
    epoch's cost, the validation cost and the parameters after each."""
    params = he(DIMS)
    v = [[np.zeros_like(p) for p in layer] for layer in params]
    s = [[np.zeros_like(p) for p in layer] for layer in params]
    rng = np.random.RandomState(dropout_seed) if keep_prob is not None else None
    t = 0
    for epoch in range(iterations):
        total = 0.0
        for idx in batches(x.shape[1], batch, shuffle_seed + epoch):
            xb, yb = x[:, idx], y[:, idx]
            al, caches = forward(xb, params, keep_prob, rng)
            total += (cross_entropy(al, yb) + l2_term(params, lambd, yb.shape[1])) * yb.shape[1]
            grads = backward(yb, params, caches, lambd, keep_prob)
            t += 1
            new = []
            for l, (layer, dlayer) in enumerate(zip(params, grads)):
                out = []
                for k, (p, d) in enumerate(zip(layer, dlayer)):
                    if optimizer == "gd":
                        p = p - lr * d
                    else:
                        v[l][k] = BETA1 * v[l][k] + (1 - BETA1) * d
                        s[l][k] = BETA2 * s[l][k] + (1 - BETA2) * np.power(d, 2)
                        vc = v[l][k] / (1 - BETA1 ** t)
                        sc = s[l][k] / (1 - BETA2 ** t)
                        p = p - lr * vc / (np.sqrt(sc) + EPSILON)
                    out.append(p)
                new.append(tuple(out))
            params = new
        al_val, _ = forward(x_val, params)
        yield total / x.shape[1], cross_entropy(al_val, y_val), params


def early_stopping(val_costs, patience, min_delta):
    """The rule over the validation costs (Keras' count, scikit-learn's kept parameters): (best
    iteration, stopped at or None, the iterations that were a new lowest by less than min_delta,
    the smallest gap of a comparison to a tie)."""
    best, best_cost, since, undercut, closest = None, None, 0, [], np.inf
    for i, cost in enumerate(val_costs):
        if best is None:
            lowest = improved = bool(np.isfinite(cost))
        else:
            bar = best_cost - min_delta
            closest = min(closest, abs(cost - bar) / max(1.0, abs(bar)), abs(cost - best_cost))
            improved = cost < bar
            lowest = cost < best_cost
            # The other way Keras writes the comparison agrees on every iteration here.
            assert improved == (cost + min_delta < best_cost), i
            if lowest and not improved:
                undercut.append(i)
        if lowest:
            best, best_cost = i, cost
        since = 0 if improved else since + 1
        if since >= patience:
            return best, i, undercut, closest
    return best, None, undercut, closest


def case(name, data_, patience, min_delta, iterations, lr, optimizer="gd", batch=None, shuffle_seed=11,
         lambd=0.0, keep_prob=None, dropout_seed=5):
    x, y, x_val, y_val = data_
    settings = dict(lr=lr, optimizer=optimizer, batch=batch, shuffle_seed=shuffle_seed, lambd=lambd,
                    keep_prob=keep_prob, dropout_seed=dropout_seed)
    costs, val_costs, history = [], [], []
    # Until the rule with min_delta and the rule without it have both stopped.
    for cost, val_cost, params in train(x, y, x_val, y_val, iterations, **settings):
        costs.append(cost)
        val_costs.append(val_cost)
        history.append(params)
        if all(early_stopping(val_costs, patience, delta)[1] is not None for delta in (min_delta, 0.0)):
            break
    best, stopped, undercut, closest = early_stopping(val_costs, patience, min_delta)
    plain_best, plain_stopped, _, plain_closest = early_stopping(val_costs, patience, 0.0)
    assert stopped is not None and stopped < iterations - 1, f"{name}: early stopping did not trigger"
    assert best == int(np.argmin(val_costs[:stopped + 1])), name
    assert undercut, f"{name}: no iteration lowered the best validation cost by less than min_delta"
    assert plain_stopped != stopped, f"{name}: min_delta changes nothing"
    assert min(closest, plain_closest) > 1e-9, f"{name}: a comparison is {closest:.1e} from a tie"
    if lambd > 0.0:
        # What the validation cost would be with the L2 term: far from what it is.
        with_l2 = [c + l2_term(p, lambd, x_val.shape[1]) for c, p in zip(val_costs, history)]
        assert min(abs(a - b) for a, b in zip(with_l2, val_costs)) > 1e-3, name
    print(f"{name}: best {best} ({val_costs[best]:.6f}), stopped at {stopped} of {iterations}, "
          f"{len(undercut)} iteration(s) a new lowest by less than min_delta (first {undercut[0]}), "
          f"without min_delta best {plain_best} stopped at {plain_stopped}")
    return {
        **settings,
        "iterations": iterations,
        "patience": patience,
        "min_delta": min_delta,
        "costs": costs[:stopped + 1],
        "val_costs": val_costs[:stopped + 1],
        "best": best,
        "best_cost": val_costs[best],
        "stopped_at": stopped,
        "undercut": undercut,
        "best_without_min_delta": plain_best,
        "stopped_at_without_min_delta": plain_stopped,
        "final": listify(history[stopped]),
        "restored": listify(history[best]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"),
                        help="directory to write early_stopping.json in (default: %(default)s)")
    args = parser.parse_args()
    d = data()
    x, y, x_val, y_val = d
    out = {
        "numpy": np.__version__,
        "dims": DIMS,
        "x": x.tolist(),
        "y": y.tolist(),
        "x_val": x_val.tolist(),
        "y_val": y_val.tolist(),
        "gd": case("gd", d, patience=10, min_delta=1e-3, iterations=400, lr=0.3),
        "adam": case("adam", d, patience=5, min_delta=1e-3, iterations=300, lr=0.01, optimizer="adam",
                     batch=8, shuffle_seed=11),
        "l2_dropout": case("l2_dropout", d, patience=8, min_delta=1e-3, iterations=400, lr=0.3, lambd=0.5,
                           keep_prob=0.9, dropout_seed=5),
    }
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "early_stopping.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
