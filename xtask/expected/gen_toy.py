"""numpy + scikit-learn reference for `dnn toy` (the course's "Optimization methods"
assignment), used by gen_repro.py.

The assignment's own set-up: the moons data set from
`np.random.seed(3); sklearn.datasets.make_moons(n_samples=300, noise=.2)`, a
[2, 5, 2, 1] network (relu, relu, sigmoid) with He initialisation after
np.random.seed(3) (W = randn(n[l], n[l-1]) * sqrt(2 / n[l-1]), b = 0), learning rate
0.0007, mini-batches of 64 reshuffled every epoch (epoch e draws
np.random.permutation(m) after np.random.seed(11 + e): the assignment's seed = 10, then
seed + 1 before each epoch), 5000 epochs, momentum beta 0.9, Adam 0.9 / 0.999 / 1e-8.
The cost of an epoch is the sum of the per-example losses over all its mini-batches,
divided by m (what the assignment prints as "Cost after epoch i").

Gradient descent runs for each of "gd", "momentum" and "adam". As gen_planar.py does,
the script also measures numpy's *own* spread when one initial weight (W1[0, 0]) moves
by about one ulp: the set of accuracies reached and, at each recorded epoch, the largest
cost difference. `cargo xtask repro` compares costs to 1e-6 where that spread is
negligible (< 1e-9) and to 10 times the spread elsewhere, accuracies to numpy's or to one
numpy itself reaches under such a perturbation.

Run through gen_repro.py (`cargo xtask regen`), which writes xtask/expected/repro.json and runs
the trainings in parallel; `python3 gen_toy.py` alone prints the numbers.
"""

import concurrent.futures
import math

import numpy as np
import sklearn.datasets

OPTIMIZERS = ["gd", "momentum", "adam"]
LAYERS = [2, 5, 2, 1]
EPOCHS = 5000
RECORD_EVERY = 1000
# Relative one-ulp-scale changes of W1[0, 0] used to measure numpy's own spread.
PERTURBATIONS = [2.2e-16, -2.2e-16, 4.4e-16, -4.4e-16]


# ----------------------------------------------------------------------------- data

def load_moons():
    """The assignment's load_dataset(): 300 moons, noise 0.2, after np.random.seed(3)."""
    np.random.seed(3)
    X, Y = sklearn.datasets.make_moons(n_samples=300, noise=.2)
    return X.T, Y.reshape((1, Y.shape[0])).astype(np.float64)


def load_circles():
    """The "Initialization" assignment's circles: 300 points, noise 0.05, after np.random.seed(1)."""
    np.random.seed(1)
    X, Y = sklearn.datasets.make_circles(n_samples=300, noise=.05)
    return X.T, Y.reshape((1, Y.shape[0])).astype(np.float64)


# ----------------------------------------------------------------------------- network

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def relu(z):
    return np.maximum(0, z)


def initialize_parameters_he(layer_dims):
    np.random.seed(3)
    p = {}
    for l in range(1, len(layer_dims)):
        p["W%d" % l] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])
        p["b%d" % l] = np.zeros((layer_dims[l], 1))
    return p


def forward_propagation(X, p):
    z1 = np.dot(p["W1"], X) + p["b1"]
    a1 = relu(z1)
    z2 = np.dot(p["W2"], a1) + p["b2"]
    a2 = relu(z2)
    z3 = np.dot(p["W3"], a2) + p["b3"]
    a3 = sigmoid(z3)
    return a3, (a1, a2, a3)


def backward_propagation(X, Y, p, cache):
    m = X.shape[1]
    a1, a2, a3 = cache
    dz3 = 1. / m * (a3 - Y)
    g = {"dW3": np.dot(dz3, a2.T), "db3": np.sum(dz3, axis=1, keepdims=True)}
    da2 = np.dot(p["W3"].T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))
    g["dW2"] = np.dot(dz2, a1.T)
    g["db2"] = np.sum(dz2, axis=1, keepdims=True)
    da1 = np.dot(p["W2"].T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    g["dW1"] = np.dot(dz1, X.T)
    g["db1"] = np.sum(dz1, axis=1, keepdims=True)
    return g


def compute_cost(a3, Y):
    """Sum (not mean) of the per-example losses: the caller divides by m once per epoch."""
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return np.sum(logprobs)


def random_mini_batches(X, Y, mini_batch_size, seed):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    batches = []
    complete = math.floor(m / mini_batch_size)
    for k in range(complete):
        batches.append((shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size],
                        shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]))
    if m % mini_batch_size != 0:
        batches.append((shuffled_X[:, complete * mini_batch_size:],
                        shuffled_Y[:, complete * mini_batch_size:]))
    return batches


# ----------------------------------------------------------------------------- model

def model(X, Y, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=EPOCHS, perturb=0.0):
    """The assignment's model(); returns (parameters, [[epoch, cost] every RECORD_EVERY and the last])."""
    L = len(LAYERS)
    p = initialize_parameters_he(LAYERS)
    p["W1"][0, 0] *= 1 + perturb
    v = {k: np.zeros_like(p[k]) for k in p}
    s = {k: np.zeros_like(p[k]) for k in p}
    t = 0
    seed = 10
    m = X.shape[1]
    costs = []
    for i in range(num_epochs):
        seed = seed + 1
        cost_total = 0
        for mx, my in random_mini_batches(X, Y, mini_batch_size, seed):
            a3, cache = forward_propagation(mx, p)
            cost_total += compute_cost(a3, my)
            g = backward_propagation(mx, my, p, cache)
            if optimizer == "adam":
                t = t + 1
            for l in range(1, L):
                for k in ("W", "b"):
                    key = k + str(l)
                    d = g["d" + key]
                    if optimizer == "gd":
                        p[key] = p[key] - learning_rate * d
                    elif optimizer == "momentum":
                        v[key] = beta * v[key] + (1 - beta) * d
                        p[key] = p[key] - learning_rate * v[key]
                    else:
                        v[key] = beta1 * v[key] + (1 - beta1) * d
                        v_corrected = v[key] / (1 - beta1 ** t)
                        s[key] = beta2 * s[key] + (1 - beta2) * np.power(d, 2)
                        s_corrected = s[key] / (1 - beta2 ** t)
                        p[key] = p[key] - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)
        cost_avg = cost_total / m
        if i % RECORD_EVERY == 0 or i == num_epochs - 1:
            costs.append([i, float(cost_avg)])
    return p, costs


def accuracy(X, Y, p):
    a3, _ = forward_propagation(X, p)
    return float(np.mean((a3 > 0.5) == Y))


def train(optimizer, perturb):
    """One training on the moons: (accuracy, costs)."""
    X, Y = load_moons()
    p, costs = model(X, Y, optimizer, perturb=perturb)
    return accuracy(X, Y, p), costs


def run_now(fn, *args):
    """A `submit` that runs at once (no parallelism)."""
    done = concurrent.futures.Future()
    done.set_result(fn(*args))
    return done


def submit(submit):
    """Starts every training with `submit(fn, *args) -> future` (a process pool's submit, or
    run_now); returns `finish(log)`, which waits for them and returns the three entries."""
    runs = {opt: [submit(train, opt, d) for d in [0.0] + PERTURBATIONS] for opt in OPTIMIZERS}
    return lambda log: entries(log, runs)


def entries(log, runs):
    out = []
    for opt in OPTIMIZERS:
        acc, costs = runs[opt][0].result()
        reached = {acc}
        spread = [0.0] * len(costs)
        for f in runs[opt][1:]:
            a2, c = f.result()
            reached.add(a2)
            spread = [max(s, abs(a[1] - b[1])) for s, a, b in zip(spread, costs, c)]
        log("moons %s: accuracy %r, one-ulp spread %s, costs %s, cost spread %s"
            % (opt, acc, sorted(reached), ["%.6f" % c[1] for c in costs], ["%.1e" % s for s in spread]))
        out.append({
            "name": "moons-" + opt,
            "kind": "toy",
            "args": ["--dataset", "moons", "--optimizer", opt],
            "optimizer": opt,
            "layers": LAYERS,
            "learning_rate": 0.0007,
            "batch_size": 64,
            "epochs": EPOCHS,
            "costs": costs,
            "cost_spread_under_one_ulp": spread,
            "accuracy": acc,
            "reached_under_one_ulp": sorted(reached),
        })
    return out


if __name__ == "__main__":
    import sys
    submit(run_now)(lambda text: print(text, file=sys.stderr, flush=True))
