#!/usr/bin/env python3
"""Checks a `seqlab export-hf` folder in Hugging Face transformers: loads it with
MambaForCausalLM.from_pretrained (float32, on the CPU), runs the token ids and compares the
logits with SeqLab's, then loads its tokenizer with AutoTokenizer and with
PreTrainedTokenizerFast(tokenizer_file=...) and checks that both encode "ACGTN" (and "acgtn")
to the ids SeqLab's own tokenizer (seqlab_tokenizer.json, written beside them) gives.

    python3 bench/hf_export_check.py DIR IDS.json REF_LOGITS.bin [--tol 1e-4]

IDS.json: a JSON array of arrays of token ids [batch][length]. REF_LOGITS.bin: SeqLab's logits
for them, little-endian float32 [batch, length, vocab] (what `seqlab logits --out` writes).
Prints the max and mean absolute error; exits 1 when the load reports missing, unexpected or
mismatched weights, when the max error is above --tol (default 1e-4) or a tokenizer gives other
ids, and 2 on bad input. Made for torch 2.11 and transformers 5.17; needs no network.
"""
import argparse
import json
import os
import sys

import numpy as np


def bad_input(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def load_ids(path):
    with open(path) as f:
        ids = np.asarray(json.load(f), dtype=np.int64)
    if ids.ndim != 2 or ids.size == 0:
        bad_input(f"{path}: expected a non-empty [batch][length] array of token ids, got shape {ids.shape}")
    return ids


def load_ref(path, shape):
    data = np.fromfile(path, dtype="<f4")
    if data.size != int(np.prod(shape)):
        bad_input(f"{path}: {data.size} float32 values, [batch, length, vocab] = {list(shape)} needs {int(np.prod(shape))}")
    return data.reshape(shape)


def check_logits(model_dir, ids, ref_path, tol):
    import torch
    from transformers import MambaForCausalLM

    model, info = MambaForCausalLM.from_pretrained(model_dir, dtype=torch.float32, output_loading_info=True)
    model.eval()
    problems = {k: v for k, v in info.items() if k in ("missing_keys", "unexpected_keys", "mismatched_keys") and v}
    for k, v in problems.items():
        print(f"FAIL load: {k}: {sorted(v) if not isinstance(v, list) else v}")
    with torch.no_grad():
        logits = model(torch.from_numpy(ids)).logits.float().numpy()
    ref = load_ref(ref_path, logits.shape)
    err = np.abs(logits.astype(np.float64) - ref.astype(np.float64))
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    print(
        f"logits {list(logits.shape)}: max abs err {err.max():.3e} at {list(map(int, worst))}, "
        f"mean {err.mean():.3e} (tolerance {tol:g})"
    )
    ok = not problems and bool(np.all(np.isfinite(logits))) and err.max() <= tol
    print("logits: OK" if ok else "logits: FAIL")
    return ok


def seqlab_ids(model_dir, text):
    path = os.path.join(model_dir, "seqlab_tokenizer.json")
    with open(path) as f:
        own = json.load(f)
    if own.get("type") != "seqlab-dna":
        return None
    return [own["encode"][c.upper()] for c in text]


def check_tokenizer(model_dir):
    if not os.path.exists(os.path.join(model_dir, "tokenizer.json")):
        print("tokenizer: none in the folder (an audio model: ids are mu-law samples); skipped")
        return True
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    ok = True
    loaded = {
        "AutoTokenizer": AutoTokenizer.from_pretrained(model_dir),
        "PreTrainedTokenizerFast(tokenizer_file=...)": PreTrainedTokenizerFast(
            tokenizer_file=os.path.join(model_dir, "tokenizer.json")
        ),
    }
    for text in ("ACGTN", "acgtn"):
        want = seqlab_ids(model_dir, text)
        for name, tok in loaded.items():
            got = tok(text)["input_ids"]
            same = got == want
            ok &= same
            print(f"tokenizer {name}: {text!r} -> {got} (SeqLab: {want}) {'OK' if same else 'FAIL'}")
    decoded = loaded["AutoTokenizer"].decode(seqlab_ids(model_dir, "ACGTN"), skip_special_tokens=True)
    print(f"tokenizer decode: {decoded!r} {'OK' if decoded == 'ACGTN' else 'FAIL'}")
    return ok and decoded == "ACGTN"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir")
    p.add_argument("ids")
    p.add_argument("ref")
    p.add_argument("--tol", type=float, default=1e-4)
    a = p.parse_args()
    if not os.path.isfile(os.path.join(a.dir, "config.json")):
        bad_input(f"{a.dir}: no config.json (not an exported model folder)")
    import torch
    import transformers

    print(f"torch {torch.__version__}, transformers {transformers.__version__}, model {a.dir}")
    ok = check_logits(a.dir, load_ids(a.ids), a.ref, a.tol)
    ok &= check_tokenizer(a.dir)
    print("hf_export_check: PASS" if ok else "hf_export_check: FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
