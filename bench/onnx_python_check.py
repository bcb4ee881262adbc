#!/usr/bin/env python3
"""Runs a SeqLab ONNX export (seqlab export-onnx) in Python's onnxruntime and compares its logits
with a saved reference and/or with transformers' MambaForCausalLM on the model folder.

    python3 bench/onnx_python_check.py MODEL.onnx --ids input_ids.json
        [--ref logits.bin --ref-shape shape.json] [--model-dir DIR] [--tol 1e-4]

--ids: a JSON array of arrays of token ids [batch][length]. --ref: raw little-endian float32
logits [batch, length, vocab] (what `seqlab logits --out` writes, or a fixture's logits_f32.bin);
--ref-shape: a JSON file holding that shape, as a list or as {"shape": [...]}. --model-dir: a
Hugging Face model folder, run with MambaForCausalLM.from_pretrained in float32 on the CPU.
A step-mode export is run from the zero state. Prints the max and mean absolute error of each
comparison; exits 1 when any max error is above --tol (default 1e-4), 2 on bad input.
Made for onnxruntime 1.30 and transformers 5.17 (torch only with --model-dir).
"""
import argparse
import json
import sys

import numpy as np
import onnxruntime as ort


def bad_input(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def load_ids(path):
    with open(path) as f:
        ids = np.asarray(json.load(f), dtype=np.int64)
    if ids.ndim != 2 or ids.size == 0:
        bad_input(f"{path}: expected a non-empty [batch][length] array of token ids, got shape {ids.shape}")
    return ids


def load_ref(bin_path, shape_path):
    with open(shape_path) as f:
        shape = json.load(f)
    if isinstance(shape, dict):
        shape = shape.get("shape")
    if not (isinstance(shape, list) and all(isinstance(d, int) and d > 0 for d in shape)):
        bad_input(f"{shape_path}: expected a shape list or {{\"shape\": [...]}}")
    data = np.fromfile(bin_path, dtype="<f4")
    if data.size != int(np.prod(shape)):
        bad_input(f"{bin_path}: {data.size} float32 values, the shape {shape} needs {int(np.prod(shape))}")
    return data.reshape(shape)


def seqlab_metadata(session, path):
    meta = session.get_modelmeta().custom_metadata_map
    if meta.get("seqlab.format") != "mamba-seqlab-onnx":
        bad_input(f"{path}: not a Mamba SeqLab ONNX export (no seqlab.format in its metadata)")
    return meta.get("seqlab.mode"), json.loads(meta["seqlab.config"])


def onnx_logits(path, ids):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    mode, config = seqlab_metadata(session, path)
    feeds = {"input_ids": ids}
    if mode == "step":
        layers, batch = config["num_hidden_layers"], ids.shape[0]
        d_in, k, n = config["intermediate_size"], config["conv_kernel"], config["state_size"]
        feeds["conv_state"] = np.zeros((layers, batch, d_in, k - 1), dtype=np.float32)
        feeds["ssm_state"] = np.zeros((layers, batch, d_in, n), dtype=np.float32)
    (logits,) = session.run(["logits"], feeds)
    print(f"{path}: {mode} mode, onnxruntime {ort.__version__}, logits {list(logits.shape)}")
    return logits


def hf_logits(model_dir, ids):
    import torch
    from transformers import MambaForCausalLM

    try:
        model = MambaForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    except TypeError:  # transformers before the dtype keyword
        model = MambaForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(ids)).logits.float().numpy()


def report(what, got, ref, tol):
    if got.shape != ref.shape:
        print(f"{what}: shape {list(got.shape)} differs from the reference's {list(ref.shape)}")
        return False
    err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    ok = bool(np.all(np.isfinite(err))) and float(err.max()) <= tol
    print(f"{what}: max abs err {err.max():.3e}, mean {err.mean():.3e} ({'ok' if ok else 'FAIL'}, tol {tol:g})")
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("onnx")
    p.add_argument("--ids", required=True)
    p.add_argument("--ref")
    p.add_argument("--ref-shape")
    p.add_argument("--model-dir")
    p.add_argument("--tol", type=float, default=1e-4)
    a = p.parse_args()
    if bool(a.ref) != bool(a.ref_shape):
        p.error("--ref and --ref-shape go together")
    if not a.ref and not a.model_dir:
        p.error("give --ref with --ref-shape, --model-dir, or both")
    ids = load_ids(a.ids)
    logits = onnx_logits(a.onnx, ids)
    ok = True
    if a.ref:
        ok &= report(f"onnx vs {a.ref}", logits, load_ref(a.ref, a.ref_shape), a.tol)
    if a.model_dir:
        ok &= report(f"onnx vs transformers MambaForCausalLM({a.model_dir})", logits, hf_logits(a.model_dir, ids), a.tol)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
