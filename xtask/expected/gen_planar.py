"""numpy reference for the flower ("planar") chapter, used by gen_repro.py.

The exercise's own code: the flower data set from np.random.seed(1), a two-layer
network n_x -> n_h (tanh) -> 1 (sigmoid) initialised with np.random.seed(2),
W = randn * 0.01, b = 0, trained by gradient descent with learning rate 1.2.

Gradient descent at learning rate 1.2 on this set is ill-conditioned in places: a
one-ulp change of a single initial weight changes some results. So besides the
plain numpy numbers, this script measures numpy's *own* spread under such one-ulp
perturbations and records it:
  * for the sweep, the set of accuracies the perturbed runs reach for each hidden
    size (a size is reproducible "exactly" when that set has one element);
  * for the n_h = 4 cost curve, the largest cost difference the perturbed runs show
    at each printed iteration; where it is below 1e-9 the curve is compared to 1e-7.

Run through gen_repro.py (`cargo xtask regen`), which writes xtask/expected/repro.json.
Every training is independent (each seeds numpy itself), so gen_repro.py runs them in parallel.
"""

import numpy as np

SWEEP = [1, 2, 3, 4, 5, 20, 50]
PUBLISHED_SWEEP = {1: 67.5, 2: 67.25, 3: 90.75, 4: 90.5, 5: 91.25, 20: 90.0, 50: 90.25}
# Relative one-ulp-scale changes of W1[0, 0] used to measure numpy's own spread.
PERTURBATIONS = [2.2e-16, -2.2e-16, 4.4e-16, -4.4e-16, 1e-15, -1e-15]


def load_planar_dataset(seed=1):
    np.random.seed(seed)
    m = 400
    N = int(m / 2)
    D = 2
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype="uint8")
    a = 4
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T.astype(np.float64)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def nn_model(X, Y, n_h, num_iterations, learning_rate=1.2, perturb=0.0, record_every=1000):
    """Returns (accuracy in %, [[i, cost] for every record_every-th iteration and the last])."""
    np.random.seed(2)
    W1 = np.random.randn(n_h, X.shape[0]) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(1, n_h) * 0.01
    b2 = np.zeros((1, 1))
    W1[0, 0] *= 1 + perturb
    m = X.shape[1]
    costs = []
    for i in range(num_iterations):
        Z1 = np.dot(W1, X) + b1
        A1 = np.tanh(Z1)
        Z2 = np.dot(W2, A1) + b2
        A2 = sigmoid(Z2)
        cost = -np.sum(np.multiply(np.log(A2), Y) + np.multiply(1 - Y, np.log(1 - A2))) / m
        if i % record_every == 0 or i == num_iterations - 1:
            costs.append([i, float(cost)])
        dZ2 = A2 - Y
        dW2 = 1 / m * np.dot(dZ2, A1.T)
        db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
        dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
        dW1 = 1 / m * np.dot(dZ1, X.T)
        db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
        W1 = W1 - learning_rate * dW1
        b1 = b1 - learning_rate * db1
        W2 = W2 - learning_rate * dW2
        b2 = b2 - learning_rate * db2
    A2 = sigmoid(np.dot(W2, np.tanh(np.dot(W1, X) + b1)) + b2)
    accuracy = float(np.mean((A2 > 0.5) == (Y > 0.5)) * 100)
    return accuracy, costs


def train(n_h, num_iterations, perturb):
    """One training on the flower data: (accuracy in %, costs)."""
    X, Y = load_planar_dataset()
    return nn_model(X, Y, n_h, num_iterations, perturb=perturb)


def submit(submit):
    """Starts every training with `submit(fn, *args) -> future` (a process pool's submit);
    returns `finish(log)`, which waits for them and returns the two entries."""
    sweep = {n_h: [submit(train, n_h, 5000, p) for p in [0.0] + PERTURBATIONS] for n_h in SWEEP}
    h4 = [submit(train, 4, 10000, p) for p in [0.0] + PERTURBATIONS]
    return lambda log: entries(log, sweep, h4)


def entries(log, sweep_runs, h4_runs):
    sweep, reached = [], []
    for n_h in SWEEP:
        accs = [f.result()[0] for f in sweep_runs[n_h]]
        acc = accs[0]
        spread = sorted(set(accs))
        log("flower n_h=%d: %.2f %%, one-ulp spread %s, published %.2f" % (n_h, acc, spread, PUBLISHED_SWEEP[n_h]))
        sweep.append([n_h, acc])
        reached.append([n_h, spread])
    acc4, costs4 = h4_runs[0].result()
    spread4 = [0.0] * len(costs4)
    reached4 = {acc4}
    for f in h4_runs[1:]:
        acc, c = f.result()
        reached4.add(acc)
        spread4 = [max(s, abs(a[1] - b[1])) for s, a, b in zip(spread4, costs4, c)]
    log("flower n_h=4, 10000 iterations: %.2f %%, one-ulp spread %s, cost spread %s"
        % (acc4, sorted(reached4), ["%.1e" % s for s in spread4]))
    return [
        {
            "name": "flower-sweep",
            "kind": "planar",
            "args": ["--sweep", ",".join(map(str, SWEEP)), "--iterations", "5000"],
            "accuracies": sweep,
            "reached_under_one_ulp": reached,
            "published": [[n, PUBLISHED_SWEEP[n]] for n in SWEEP],
        },
        {
            "name": "flower-h4",
            "kind": "planar",
            "args": ["--hidden", "4", "--iterations", "10000"],
            "accuracies": [[4, acc4]],
            "reached_under_one_ulp": [[4, sorted(reached4)]],
            "costs": costs4,
            "cost_spread_under_one_ulp": spread4,
        },
    ]
