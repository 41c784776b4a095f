"""numpy reference fixtures for dnn-core's integration tests.

The Rust tests `tests/core/rng_vs_numpy.rs` and `tests/core/steps_vs_numpy.rs` compare dnn-core
against the JSON files this script writes into `crates/dnn-core/tests/data/`. Every expected
number in those tests comes from here, computed with numpy exactly as the exercise "Building
your Deep Neural Network: Step by Step" writes it (np.dot, np.sum(axis=1, keepdims=True), ...).

Regenerate with `cargo xtask regen` (in the venv xtask makes from xtask/requirements.txt), or by
hand: `python crates/dnn-core/tests/reference/gen_fixtures.py [--out DIR]` (default: the committed
tests/data/). The output is deterministic: `cargo xtask regen --check` fails on any byte that
differs from the committed files.

The exercise's functions that the cat trainings use live once, in benches/reference/numpy_cat.py
(the numpy reference `cargo xtask bench` runs); this script imports them, as
xtask/expected/gen_repro.py does, and keeps only what that file does not have.

JSON conventions: an array is {"shape": [rows, cols], "data": [row-major floats]} (a 1-D array has
a one-element shape). Floats are written by Python's json module, whose repr is the shortest string
that round-trips, so the Rust side (serde_json with `float_roundtrip`) reads back the exact f64.
NaN and infinities are refused (allow_nan=False) because JSON cannot carry them.

Before writing anything the script checks, with a tiny pure-Python MT19937, that numpy's legacy
RandomState really does what SPEC.md says (raw 32-bit outputs, 53-bit doubles, polar Box-Muller
with a cached second Gaussian that survives rand()/permutation() calls, Fisher-Yates permutation
with masked rejection sampling), so the fixtures pin documented behaviour, not an accident.
"""

import argparse
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
OUT = os.path.join(HERE, "..", "data")  # set by --out
RNG_SEEDS = [0, 1, 2, 3, 42, 2**32 - 1]


# ----------------------------------------------------------------------------------------------
# JSON helpers


def arr(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel(order="C")]}


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    size = os.path.getsize(path)
    assert size < 300_000, f"{name} is {size} bytes, keep fixtures small"
    print(f"wrote {os.path.normpath(path)} ({size} bytes)")


# ----------------------------------------------------------------------------------------------
# A pure-Python model of numpy's legacy RandomState, used only to check numpy (never written out).


class PyMT:
    def __init__(self, seed):
        mt = [seed & 0xFFFFFFFF]
        for i in range(1, 624):  # init_genrand
            mt.append((1812433253 * (mt[-1] ^ (mt[-1] >> 30)) + i) & 0xFFFFFFFF)
        self.mt, self.i, self.cached = mt, 624, None

    def u32(self):
        if self.i >= 624:
            mt = self.mt
            for k in range(624):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7FFFFFFF)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.i = 0
        y = self.mt[self.i]
        self.i += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        return y ^ (y >> 18)

    def double(self):
        a, b = self.u32() >> 5, self.u32() >> 6
        return (a * 67108864.0 + b) / 9007199254740992.0

    def gauss(self):
        if self.cached is not None:
            g, self.cached = self.cached, None
            return g
        while True:
            x1, x2 = 2.0 * self.double() - 1.0, 2.0 * self.double() - 1.0
            r2 = x1 * x1 + x2 * x2
            if 0.0 < r2 < 1.0:
                break
        f = math.sqrt(-2.0 * math.log(r2) / r2)
        self.cached = f * x1  # kept for the next call
        return f * x2

    def interval(self, mx):  # legacy random_interval: masked rejection sampling
        mask = mx
        for s in (1, 2, 4, 8, 16):
            mask |= mask >> s
        while True:
            v = self.u32() & mask
            if v <= mx:
                return v

    def permutation(self, n):
        a = list(range(n))
        for i in range(n - 1, 0, -1):  # Fisher-Yates from the end
            j = self.interval(i)
            a[i], a[j] = a[j], a[i]
        return a


# ----------------------------------------------------------------------------------------------
# RNG fixtures: per seed, several "streams"; each stream starts from np.random.seed(seed) and
# applies its ops in order, so the Gaussian cache and the MT position carry across the ops.

RNG_STREAMS = {
    # Odd sizes so the cached second Gaussian crosses call boundaries; 40x50 crosses many twists.
    "randn_sequence": [("randn", (7, 3)), ("randn", (1, 5)), ("randn", (5, 1)), ("randn", (1, 1)),
                       ("randn", (40, 50)), ("randn", (3, 3))],
    "rand_sequence": [("rand", (13, 17)), ("rand", (1, 1)), ("rand", (2, 9))],
    # numpy keeps the cached Gaussian across rand() calls: randn(3) leaves one cached value,
    # rand(2) does not touch it, and the next randn(3) starts with it.
    "vec_mix": [("randn_vec", 3), ("rand_vec", 2), ("randn_vec", 3), ("randn", (1, 1)),
                ("rand_vec", 1), ("randn_vec", 5), ("rand", (2, 2)), ("randn", (3, 1)),
                ("rand_vec", 7), ("randn_vec", 1)],
    # ... and across permutation() calls too.
    "mix_with_permutation": [("randn_vec", 1), ("permutation", 5), ("randn_vec", 1),
                             ("randn_vec", 1), ("permutation", 3), ("randn", (2, 2)),
                             ("rand_vec", 1), ("permutation", 10), ("randn_vec", 3)],
    # Raw MT19937 outputs; 1500 crosses two regenerations of the 624-word state.
    "raw_u32": [("next_u32", 1500)],
    "permutation": [("permutation", 1), ("permutation", 2), ("permutation", 10),
                    ("permutation", 209), ("permutation", 1000)],
    "permutation_fresh_209": [("permutation", 209)],
    "permutation_empty": [("permutation", 0), ("randn_vec", 2)],
}


def numpy_op(op, arg):
    if op == "randn":
        return arr(np.random.randn(*arg))
    if op == "rand":
        return arr(np.random.rand(*arg))
    if op == "randn_vec":
        return arr(np.random.randn(arg))
    if op == "rand_vec":
        return arr(np.random.rand(arg))
    if op == "next_u32":
        # For the full uint32 range numpy's bounded-integer code returns next_uint32 unmodified.
        return [int(v) for v in np.random.randint(0, 2**32, size=arg, dtype=np.uint32)]
    if op == "permutation":
        return [int(v) for v in np.random.permutation(arg)]
    raise ValueError(op)


def model_op(py, op, arg):
    size = arg[0] * arg[1] if isinstance(arg, tuple) else arg
    if op in ("randn", "randn_vec"):
        return [py.gauss() for _ in range(size)]
    if op in ("rand", "rand_vec"):
        return [py.double() for _ in range(size)]
    if op == "next_u32":
        return [py.u32() for _ in range(size)]
    return py.permutation(arg)


def rng_fixtures():
    for seed in RNG_SEEDS:
        streams = []
        for name, ops in RNG_STREAMS.items():
            np.random.seed(seed)
            py = PyMT(seed)
            out = []
            for op, a in ops:
                got = numpy_op(op, a)
                want = model_op(py, op, a)
                have = got["data"] if isinstance(got, dict) else got
                assert have == want, f"numpy differs from the documented algorithm: {name} {op}"
                out.append({"op": op, "arg": list(a) if isinstance(a, tuple) else a,
                            "expected": got})
            streams.append({"name": name, "ops": out})
        write(f"rng_seed_{seed}.json", {"seed": seed, "streams": streams})


# ----------------------------------------------------------------------------------------------
# The exercise's functions. Those the cat trainings use come from numpy_cat.py; here are only the
# ones it does not have (see each comment).

sys.path.insert(0, os.path.join(ROOT, "benches", "reference"))
import numpy_cat  # noqa: E402
from numpy_cat import (  # noqa: E402
    L_model_backward,
    L_model_forward,
    linear_backward,
    linear_forward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
)


# The step-by-step notebook's initialisers: no seed of their own (the caller seeds), and
# initialize_parameters_deep's W = randn * 0.01 (numpy_cat has the application notebook's, which
# seed 1 themselves and scale by 1/sqrt(n[l-1])).
def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims, scale="0.01"):
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        if scale == "0.01":  # the step-by-step notebook
            W = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        else:  # the application notebook (what l_layer_model uses)
            W = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["W" + str(l)] = W
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# tanh, the planar chapter's hidden activation, which numpy_cat (relu and sigmoid only) lacks; so
# the two linear_activation_* functions dispatch on all three here.
def tanh(Z):
    return np.tanh(Z), Z


def tanh_backward(dA, Z):
    return dA * (1 - np.power(np.tanh(Z), 2))


ACT = {"sigmoid": sigmoid, "relu": relu, "tanh": tanh}
BACK = {"sigmoid": sigmoid_backward, "relu": relu_backward, "tanh": tanh_backward}


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = ACT[activation](Z)
    return A, (linear_cache, activation_cache)


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    dZ = BACK[activation](dA, activation_cache)
    return linear_backward(dZ, linear_cache)


# The step-by-step notebook's cost: the np.dot form, which rounds differently from numpy_cat's
# np.sum form (the two differ in the last bit for about half of the inputs).
def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = (1.0 / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    return float(np.squeeze(cost))


def update_parameters(parameters, grads, learning_rate):
    """numpy_cat's, on a copy: the fixtures keep the parameters from before the update."""
    return numpy_cat.update_parameters(dict(parameters), grads, learning_rate)


# The notebook's predict, returning the probabilities too (numpy_cat's returns the accuracy).
def predict(X, parameters):
    probas, _ = L_model_forward(X, parameters)
    p = np.zeros(probas.shape)
    p[probas > 0.5] = 1
    return p, probas


def two_layer_model(X, Y, layers_dims, learning_rate, num_iterations, seed):
    np.random.seed(seed)
    costs = []
    (n_x, n_h, n_y) = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    for i in range(0, num_iterations):
        A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
        if i % 100 == 0:
            costs.append([i, cost])
    return parameters, costs


def L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, seed):
    np.random.seed(seed)
    costs = []
    parameters = initialize_parameters_deep(layers_dims, scale="sqrt")
    for i in range(0, num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append([i, cost])
    return parameters, costs


# ----------------------------------------------------------------------------------------------
# Step fixtures. Inputs are drawn as the exercise's testCases do (np.random.seed(s), then randn)
# and stored in the JSON, so these tests do not depend on dnn-core's RNG (except init/models).


def params_json(parameters):
    L = len(parameters) // 2
    return [{"W": arr(parameters["W" + str(l)]), "b": arr(parameters["b" + str(l)])}
            for l in range(1, L + 1)]


def cache_json(cache):
    (A_prev, W, b), Z = cache
    return {"A_prev": arr(A_prev), "W": arr(W), "b": arr(b), "Z": arr(Z)}


def grads_json(grads, L):
    return {"dA": [arr(grads["dA" + str(l)]) for l in range(L)],
            "dW": [arr(grads["dW" + str(l)]) for l in range(1, L + 1)],
            "db": [arr(grads["db" + str(l)]) for l in range(1, L + 1)]}


def random_params(dims):
    p = {}
    for l in range(1, len(dims)):
        p["W" + str(l)] = np.random.randn(dims[l], dims[l - 1])
        p["b" + str(l)] = np.random.randn(dims[l], 1)
    return p


def init_fixtures():
    cases = []
    for seed in (1, 3):
        for dims in ((3, 2, 1), (5, 4, 3)):
            np.random.seed(seed)
            cases.append({"fn": "initialize_parameters", "seed": seed, "dims": list(dims),
                          "expected": params_json(initialize_parameters(*dims))})
        for dims in ([5, 4, 3], [12, 7, 5, 1]):
            np.random.seed(seed)
            cases.append({"fn": "initialize_parameters_deep", "seed": seed, "dims": dims,
                          "expected": params_json(initialize_parameters_deep(dims))})
    write("steps_init.json", {"cases": cases})


def forward_fixtures():
    out = {"linear_forward": [], "activation": [], "linear_activation_forward": [],
           "l_model_forward": [], "compute_cost": []}
    # linear_forward: the exercise's case (seed 1, A 3x2, W 1x3, b 1x1) and larger ones.
    for seed, (n_prev, n, m) in ((1, (3, 1, 2)), (4, (5, 4, 7)), (9, (8, 3, 1))):
        np.random.seed(seed)
        A, W, b = np.random.randn(n_prev, m), np.random.randn(n, n_prev), np.random.randn(n, 1)
        Z, _ = linear_forward(A, W, b)
        out["linear_forward"].append({"seed": seed, "A": arr(A), "W": arr(W), "b": arr(b),
                                      "Z": arr(Z)})
    # sigmoid / relu / tanh on the same Z (with some large magnitudes for sigmoid's tails).
    np.random.seed(5)
    Z = np.random.randn(4, 6) * 3
    Z[0, 0], Z[0, 1], Z[0, 2] = 30.0, -30.0, 0.0
    for name, f in ACT.items():
        A, _ = f(Z)
        out["activation"].append({"activation": name, "Z": arr(Z), "A": arr(A)})
    # linear_activation_forward: the exercise's case (seed 2) and a wider one, each activation.
    for seed, (n_prev, n, m) in ((2, (3, 1, 2)), (7, (6, 5, 9))):
        np.random.seed(seed)
        A_prev, W, b = np.random.randn(n_prev, m), np.random.randn(n, n_prev), np.random.randn(n, 1)
        for act in ACT:
            A, cache = linear_activation_forward(A_prev, W, b, act)
            out["linear_activation_forward"].append(
                {"seed": seed, "activation": act, "A_prev": arr(A_prev), "W": arr(W),
                 "b": arr(b), "A": arr(A), "cache": cache_json(cache)})
    # L_model_forward: the exercise's 2-hidden-layer case (seed 6, X 5x4, dims [5,4,3,1]) and a
    # 4-layer net.
    for seed, dims, m in ((6, [5, 4, 3, 1], 4), (11, [6, 5, 4, 3, 1], 8)):
        np.random.seed(seed)
        X = np.random.randn(dims[0], m)
        params = random_params(dims)
        AL, caches = L_model_forward(X, params)
        out["l_model_forward"].append({"seed": seed, "dims": dims, "X": arr(X),
                                       "parameters": params_json(params), "AL": arr(AL),
                                       "caches": [cache_json(c) for c in caches]})
    # compute_cost: the exercise's case and seeded ones (AL from sigmoid of randn).
    cases = [(np.array([[1.0, 1.0, 0.0]]), np.array([[0.8, 0.9, 0.4]]))]
    for seed, m in ((3, 5), (8, 50)):
        np.random.seed(seed)
        AL = sigmoid(np.random.randn(1, m))[0]
        Y = (np.random.rand(1, m) > 0.5).astype(np.float64)
        cases.append((Y, AL))
    for Y, AL in cases:
        out["compute_cost"].append({"AL": arr(AL), "Y": arr(Y), "cost": compute_cost(AL, Y)})
    write("steps_forward.json", out)


def backward_fixtures():
    out = {"linear_backward": [], "activation_backward": [], "linear_activation_backward": [],
           "l_model_backward": [], "update_parameters": []}
    # linear_backward: the exercise's case (seed 1: dZ 3x4, A 5x4, W 3x5, b 3x1) and another.
    for seed, (n_prev, n, m) in ((1, (5, 3, 4)), (12, (2, 6, 7))):
        np.random.seed(seed)
        dZ, A, W = np.random.randn(n, m), np.random.randn(n_prev, m), np.random.randn(n, n_prev)
        b = np.random.randn(n, 1)
        dA_prev, dW, db = linear_backward(dZ, (A, W, b))
        out["linear_backward"].append({"seed": seed, "dZ": arr(dZ), "A_prev": arr(A),
                                       "W": arr(W), "b": arr(b), "dA_prev": arr(dA_prev),
                                       "dW": arr(dW), "db": arr(db)})
    # sigmoid_backward / relu_backward / tanh_backward (Z includes an exact 0: relu' is 0 there).
    np.random.seed(13)
    dA, Z = np.random.randn(3, 7), np.random.randn(3, 7) * 2
    Z[1, 1] = 0.0
    for name, f in BACK.items():
        out["activation_backward"].append({"activation": name, "dA": arr(dA), "Z": arr(Z),
                                           "dZ": arr(f(dA, Z))})
    # linear_activation_backward: the exercise's case (seed 2: dA 1x2, A 3x2, W 1x3, b 1x1,
    # Z 1x2) and a wider one, each activation.
    for seed, (n_prev, n, m) in ((2, (3, 1, 2)), (14, (4, 5, 6))):
        np.random.seed(seed)
        dA, A, W = np.random.randn(n, m), np.random.randn(n_prev, m), np.random.randn(n, n_prev)
        b, Z = np.random.randn(n, 1), np.random.randn(n, m)
        cache = ((A, W, b), Z)
        for act in BACK:
            dA_prev, dW, db = linear_activation_backward(dA, cache, act)
            out["linear_activation_backward"].append(
                {"seed": seed, "activation": act, "dA": arr(dA), "cache": cache_json(cache),
                 "dA_prev": arr(dA_prev), "dW": arr(dW), "db": arr(db)})
    # L_model_backward 1: the exercise's case (seed 3), whose caches are NOT a consistent forward
    # pass and whose AL is just randn: the function must use exactly what the caches hold.
    np.random.seed(3)
    AL = np.random.randn(1, 2)
    Y = np.array([[1.0, 0.0]])
    A1, W1, b1, Z1 = (np.random.randn(4, 2), np.random.randn(3, 4), np.random.randn(3, 1),
                      np.random.randn(3, 2))
    A2, W2, b2, Z2 = (np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1),
                      np.random.randn(1, 2))
    caches = [((A1, W1, b1), Z1), ((A2, W2, b2), Z2)]
    grads = L_model_backward(AL, Y, caches)
    out["l_model_backward"].append({"seed": 3, "AL": arr(AL), "Y": arr(Y),
                                    "caches": [cache_json(c) for c in caches],
                                    "grads": grads_json(grads, 2)})
    # L_model_backward 2 and 3: a real forward pass through a 3- and a 4-layer net, then
    # update_parameters with the resulting gradients.
    for seed, dims, m in ((21, [5, 4, 3, 1], 6), (22, [7, 6, 5, 3, 1], 10)):
        np.random.seed(seed)
        X = np.random.randn(dims[0], m)
        Y = (np.random.rand(1, m) > 0.5).astype(np.float64)
        params = random_params(dims)
        AL, caches = L_model_forward(X, params)
        grads = L_model_backward(AL, Y, caches)
        L = len(dims) - 1
        out["l_model_backward"].append({"seed": seed, "AL": arr(AL), "Y": arr(Y),
                                        "caches": [cache_json(c) for c in caches],
                                        "grads": grads_json(grads, L)})
        new = update_parameters(params, grads, 0.1)
        out["update_parameters"].append({"seed": seed, "learning_rate": 0.1,
                                         "parameters": params_json(params),
                                         "grads": grads_json(grads, L),
                                         "expected": params_json(new)})
    write("steps_backward.json", out)


def model_fixtures():
    out = {"predict": [], "two_layer_model": [], "l_layer_model": []}
    # A small learnable data set: 10 features, 40 examples, label from a fixed linear rule.
    np.random.seed(7)
    X = np.random.randn(10, 40)
    w = np.random.randn(1, 10)
    Y = (np.dot(w, X) > 0).astype(np.float64)
    out["data"] = {"seed": 7, "X": arr(X), "Y": arr(Y)}
    # predict on random parameters (no probability may sit near the 0.5 threshold).
    for seed, dims in ((31, [10, 6, 4, 1]), (32, [10, 3, 1])):
        np.random.seed(seed)
        params = random_params(dims)
        p, probas = predict(X, params)
        assert np.min(np.abs(probas - 0.5)) > 1e-9
        out["predict"].append({"seed": seed, "parameters": params_json(params),
                               "expected": arr(p)})
    params, costs = two_layer_model(X, Y, (10, 6, 1), 0.1, 300, seed=1)
    out["two_layer_model"].append({"layer_dims": [10, 6, 1], "learning_rate": 0.1,
                                   "num_iterations": 300, "rng_seed": 1, "costs": costs,
                                   "parameters": params_json(params)})
    for dims, lr, it in (([10, 6, 4, 1], 0.1, 300), ([10, 5, 1], 0.05, 250)):
        params, costs = L_layer_model(X, Y, dims, lr, it, seed=1)
        out["l_layer_model"].append({"layer_dims": dims, "learning_rate": lr,
                                     "num_iterations": it, "rng_seed": 1, "costs": costs,
                                     "parameters": params_json(params)})
    write("steps_models.json", out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=OUT, help="directory to write the JSON files in (default: %(default)s)")
    OUT = parser.parse_args().out
    os.makedirs(OUT, exist_ok=True)
    rng_fixtures()
    init_fixtures()
    forward_fixtures()
    backward_fixtures()
    model_fixtures()
