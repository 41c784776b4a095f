"""Reads dnn's exports with the ecosystem's own tools and reports what they see.

    python check_export.py MANIFEST.json > report.json

MANIFEST.json (written by crates/dnn-cli/tests/cli/e2e_export.rs):

    {"cases": [{"name": "deep", "h5": "deep.h5", "onnx": "deep.onnx",
                "safetensors": "deep.safetensors",
                "inputs": {"cat_dir": "data"}            # the cat set's raw pixels
                       or {"x": [[...], ...]}},          # raw inputs, one row per example
               ...]}

For each case, independently of dnn's code:
* ONNX: `onnx.checker.check_model(full_check=True)` (raises if the model is invalid), the
  opset, IR version, `model_version` (and onnxruntime's reading of it), the doc strings,
  input and output (name, element type, shape), `metadata_props`, and onnxruntime's output
  on the inputs, fed as the element type the graph declares for `x`. The cat inputs are read
  here with h5py and flattened with numpy's `reshape(m, -1)`, the raw 0-255 values, as dnn's
  README says to feed them; other inputs come as JSON numbers (float64, exact).
* safetensors: `safetensors.numpy.load_file` against h5py's reading of the HDF5 model: the
  tensor names, dtypes, shapes, and whether the bytes are identical; and the metadata.

Prints one JSON report on stdout; the Rust test compares it with dnn's own numbers.
"""

import json
import sys

import h5py
import numpy as np
import onnx
import onnxruntime as ort
from safetensors import safe_open
from safetensors.numpy import load_file

ELEM_TYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.DOUBLE: "float64"}


def value_info(v):
    t = v.type.tensor_type
    dims = [d.dim_param if d.HasField("dim_param") else d.dim_value for d in t.shape.dim]
    return {"name": v.name, "elem_type": ELEM_TYPES.get(t.elem_type, str(t.elem_type)), "shape": dims}


def cat_inputs(directory):
    """The raw pixels and labels of both splits, flattened as numpy's reshape(m, -1)."""
    out = {}
    for split in ("train", "test"):
        with h5py.File(f"{directory}/{split}_catvnoncat.h5", "r") as f:
            x = f[f"{split}_set_x"][:]
            y = f[f"{split}_set_y"][:]
        out[split] = (x.reshape(x.shape[0], -1), y)
    return out


def check_onnx(path, inputs):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    graph = model.graph
    report = {
        "ir_version": model.ir_version,
        "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        "ops": [n.op_type for n in graph.node],
        "inputs": [value_info(v) for v in graph.input],
        "outputs": [value_info(v) for v in graph.output],
        "metadata": {p.key: p.value for p in model.metadata_props},
        "model_version": model.model_version,
        "doc_strings": {
            "model": model.doc_string,
            "graph": graph.doc_string,
            "input": graph.input[0].doc_string,
            "output": graph.output[0].doc_string,
        },
    }
    options = ort.SessionOptions()
    options.log_severity_level = 2  # warnings and errors go to stderr, where the test looks
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    report["ort_model_version"] = session.get_modelmeta().version
    (inp,) = session.get_inputs()
    dtype = {"tensor(float)": np.float32, "tensor(double)": np.float64}[inp.type]
    report["probabilities"] = {}
    report["labels"] = {}
    if "cat_dir" in inputs:
        for split, (x, y) in cat_inputs(inputs["cat_dir"]).items():
            (p,) = session.run(None, {inp.name: x.astype(dtype)})
            report["probabilities"][split] = p.astype(np.float64).tolist()
            report["labels"][split] = y.astype(int).tolist()
    else:
        x = np.asarray(inputs["x"], dtype=dtype)
        (p,) = session.run(None, {inp.name: x})
        report["probabilities"]["x"] = p.astype(np.float64).tolist()
    return report


def check_safetensors(path, h5_path):
    tensors = load_file(path)
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata()
    with h5py.File(h5_path, "r") as h:
        h5 = {k: h[k][:] for k in h.keys()}
    return {
        "tensors": {
            name: {
                "dtype": str(t.dtype),
                "shape": list(t.shape),
                # Tensors the HDF5 file has too must be its arrays, byte for byte; every
                # tensor is also reported by value (a table model's mean and std are checked so).
                "bytes_equal_h5": (
                    t.dtype == h5[name].dtype
                    and t.shape == h5[name].shape
                    and t.tobytes() == h5[name].tobytes()
                )
                if name in h5
                else None,
                "values": t.astype(np.float64).ravel().tolist(),
            }
            for name, t in tensors.items()
        },
        "h5_keys": sorted(h5),
        "metadata": metadata,
    }


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    reports = []
    for case in manifest["cases"]:
        reports.append(
            {
                "name": case["name"],
                "onnx": check_onnx(case["onnx"], case["inputs"]),
                "safetensors": check_safetensors(case["safetensors"], case["h5"]),
            }
        )
    versions = {"onnx": onnx.__version__, "onnxruntime": ort.__version__, "numpy": np.__version__}
    json.dump({"versions": versions, "cases": reports}, sys.stdout)


if __name__ == "__main__":
    main()
