#!/usr/bin/env python3
"""PyTorch (CPU) on a mini-batch workload of `minibatch_data.py`, written as a PyTorch user
would: `nn.Sequential` of `nn.Linear` and `nn.ReLU`, `BCEWithLogitsLoss` (sigmoid output) or
`CrossEntropyLoss` (softmax output), `torch.optim.Adam`, and rows gathered by index from the
example-major data. The weights start from the same He draw as dnn's and numpy's, and the
batches come in the same shuffled order, so the costs are comparable.

    python benches/reference/minibatch_torch.py --data DIR/cat.npz --dtype float32 --report r.json
"""

import argparse
import json
import time

import numpy as np
import torch

from minibatch_data import he_weights, load


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a NAME.npz written by minibatch_data.py")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--report", help="write costs and timings as JSON here")
    args = parser.parse_args()
    np_dtype = np.float32 if args.dtype == "float32" else np.float64
    dtype = torch.float32 if args.dtype == "float32" else torch.float64

    start = time.perf_counter()
    x_np, labels, spec = load(args.data, np_dtype)
    x = torch.from_numpy(x_np)  # (m, n0), shares the memory
    if spec["output"] == "sigmoid":
        y = torch.from_numpy(labels.astype(np_dtype)).reshape(-1, 1)
        loss_fn = torch.nn.BCEWithLogitsLoss()
    else:
        y = torch.from_numpy(labels)
        loss_fn = torch.nn.CrossEntropyLoss()
    layers = spec["layers"]
    modules = []
    for l, w in enumerate(he_weights(layers, spec["init_seed"])):
        linear = torch.nn.Linear(layers[l], layers[l + 1], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.zero_()
        modules.append(linear)
        if l < len(layers) - 2:
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.Adam(
        model.parameters(),
        lr=spec["learning_rate"],
        betas=(spec["beta1"], spec["beta2"]),
        eps=spec["epsilon"],
    )
    load_seconds = time.perf_counter() - start

    start = time.perf_counter()
    m, batch = x.shape[0], spec["batch_size"]
    costs = []
    for epoch in range(spec["epochs"]):
        np.random.seed(spec["shuffle_seed"] + epoch)
        order = torch.from_numpy(np.random.permutation(m))
        total = 0.0
        for begin in range(0, m, batch):
            idx = order[begin : begin + batch]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * idx.numel()
        costs.append(total / m)
    train_seconds = time.perf_counter() - start
    for e, c in enumerate(costs):
        print("Cost after epoch {}: {:.6f}".format(e, c))
    if args.report:
        with open(args.report, "w") as f:
            json.dump(
                {
                    "program": "pytorch",
                    "dtype": args.dtype,
                    "workload": spec["name"],
                    "costs": [[i, c] for i, c in enumerate(costs)],
                    "train_seconds": train_seconds,
                    "load_seconds": load_seconds,
                    "threads": torch.get_num_threads(),
                    "version": torch.__version__,
                },
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
