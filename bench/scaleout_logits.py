"""Logits of a transformers MambaForCausalLM folder on token ids, as float32 [batch, length, vocab]:
what `seqlab logits` of the same weights imported back into SeqLab must match.
Usage: python3 bench/scaleout_logits.py MODEL_DIR IDS.json OUT.bin"""
import json
import sys

import numpy as np
import torch
from transformers import MambaForCausalLM

model_dir, ids_path, out = sys.argv[1:4]
model = MambaForCausalLM.from_pretrained(model_dir).eval()
ids = torch.tensor(json.load(open(ids_path)), dtype=torch.long)
with torch.no_grad():
    logits = model(input_ids=ids).logits.float().numpy()
logits.astype(np.float32).tofile(out)
print(f"{model_dir}: logits {list(logits.shape)} -> {out}")
