#!/usr/bin/env python3
"""Trains a small transformers MambaForCausalLM on DNA and saves it the ways Hugging Face users
do, with its own logits beside it, so that `seqlab import-hf` + `seqlab logits` can be checked
against transformers on a model SeqLab never touched (test/unit/hf-trained-fixture.test.ts reads
the folder as test/fixtures/hf-trained-mamba).

    python3 bench/hf_train_then_export.py OUT_DIR [--steps 40] [--seed 0]

Builds a character tokenizer with the tokenizers library in HyenaDNA's layout ([CLS] [SEP] [BOS]
[MASK] [PAD] [RESERVED] [UNK], then A C G T N at ids 7-11; case-sensitive) and a MambaConfig
(vocab_size 16, the vocabulary padded as Caduceus pads it; d_model 64, 2 layers), trains it on
the CPU (seeded: AdamW, windows of 64 tokens of an order-2 Markov DNA sequence with N runs), and
writes into OUT_DIR:

  f32/           save_pretrained in float32 (one model.safetensors) and the tokenizer's
                 save_pretrained (tokenizer.json, tokenizer_config.json)
  bf16-sharded/  save_pretrained in bfloat16 with a small max_shard_size (model.safetensors.index.json
                 and shards); no tokenizer, so it imports as a raw-id model
  dna.txt        the held-out bases that row 0 of input_ids.json encodes (the tokenizer's own ids)
  input_ids.json [2][96]: row 0 dna.txt encoded; row 1 random ids 0-15 (every row of the embedding)
  logits_f32.bin  transformers' float32 logits of f32/ (reloaded with from_pretrained) for input_ids,
                  little-endian float32 [2, 96, 16]
  logits_bf16.bin the same for bf16-sharded/ loaded as float32 (its bfloat16 weights widened)
  logits_shape.json {"shape": [2, 96, 16]}
  meta.json      versions, seed, steps, losses, files

Needs torch, transformers 5.x, tokenizers, safetensors and numpy; no GPU, no network. Exits 1 if a
reload does not give back exactly the weights it saved.
"""
import argparse
import copy
import json
import os
import platform
import shlex
import sys

import numpy as np
import torch

SPECIALS = ["[CLS]", "[SEP]", "[BOS]", "[MASK]", "[PAD]", "[RESERVED]", "[UNK]"]
BASES = "ACGTN"
VOCAB_SIZE = 16
WINDOW = 64
BATCH = 8
HELD_OUT = 96


def log(*a):
    print(*a, flush=True)


def dna_text(rng, n):
    """An order-2 Markov sequence over ACGT (random transitions) with a few N runs."""
    trans = rng.dirichlet(np.full(4, 0.3), size=16)
    s = list(rng.integers(0, 4, size=2))
    for _ in range(n - 2):
        s.append(int(rng.choice(4, p=trans[s[-2] * 4 + s[-1]])))
    text = np.array(list("ACGT"))[s]
    for start in rng.integers(0, n - 20, size=max(1, n // 2000)):
        text[start : start + int(rng.integers(3, 15))] = "N"
    return "".join(text)


def make_tokenizer():
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(SPECIALS + list(BASES))}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tok.decoder = decoders.Fuse()
    tok.add_special_tokens(SPECIALS)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        bos_token="[BOS]",
        eos_token="[SEP]",
        sep_token="[SEP]",
        cls_token="[CLS]",
        mask_token="[MASK]",
    )


def encode(tokenizer, text):
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(ids) != len(text):
        sys.exit(f"the tokenizer gave {len(ids)} ids for {len(text)} bases")
    return ids


def write_f32(path, arr):
    np.ascontiguousarray(arr, dtype="<f4").tofile(path)


def logits_of(model_dir, ids):
    from transformers import MambaForCausalLM

    model = MambaForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    with torch.no_grad():
        return model(torch.tensor(ids)).logits.float().numpy()


def same_weights(model, model_dir, dtype):
    """The weights from_pretrained gives back equal what was saved (in `dtype`)."""
    from transformers import MambaForCausalLM

    back = MambaForCausalLM.from_pretrained(model_dir, dtype=torch.float32).state_dict()
    bad = [k for k, v in model.state_dict().items() if not torch.equal(v.to(dtype).float(), back[k])]
    if bad:
        log(f"FAIL: {model_dir}: reloaded weights differ: {bad[:5]}")
    return not bad


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    import tokenizers
    import transformers
    from transformers import MambaConfig, MambaForCausalLM

    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    tokenizer = make_tokenizer()
    train_ids = torch.tensor(encode(tokenizer, dna_text(rng, 20000)))
    held_out = dna_text(rng, HELD_OUT)

    config = MambaConfig(
        vocab_size=VOCAB_SIZE,
        hidden_size=64,
        num_hidden_layers=2,
        state_size=16,
        conv_kernel=4,
        expand=2,
        time_step_rank="auto",
        use_conv_bias=True,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = MambaForCausalLM(config)
    optim = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    losses = []
    model.train()
    for step in range(a.steps):
        starts = rng.integers(0, len(train_ids) - WINDOW, size=BATCH)
        x = torch.stack([train_ids[s : s + WINDOW] for s in starts])
        loss = model(input_ids=x, labels=x).loss
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
        if step % 10 == 0 or step == a.steps - 1:
            log(f"step {step}: loss {losses[-1]:.4f}")
    model.eval()

    f32_dir = os.path.join(a.out, "f32")
    bf16_dir = os.path.join(a.out, "bf16-sharded")
    os.makedirs(a.out, exist_ok=True)
    model.save_pretrained(f32_dir)
    tokenizer.save_pretrained(f32_dir)
    copy.deepcopy(model).to(torch.bfloat16).save_pretrained(bf16_dir, max_shard_size="60KB")
    ok = same_weights(model, f32_dir, torch.float32) & same_weights(model, bf16_dir, torch.bfloat16)

    ids = [encode(tokenizer, held_out), rng.integers(0, VOCAB_SIZE, size=HELD_OUT).tolist()]
    with open(os.path.join(a.out, "dna.txt"), "w") as f:
        f.write(held_out + "\n")
    with open(os.path.join(a.out, "input_ids.json"), "w") as f:
        json.dump(ids, f)
    f32_logits = logits_of(f32_dir, ids)
    bf16_logits = logits_of(bf16_dir, ids)
    write_f32(os.path.join(a.out, "logits_f32.bin"), f32_logits)
    write_f32(os.path.join(a.out, "logits_bf16.bin"), bf16_logits)
    with open(os.path.join(a.out, "logits_shape.json"), "w") as f:
        json.dump({"shape": list(f32_logits.shape)}, f)
    meta = {
        "command": " ".join(shlex.quote(x) for x in ["python3", "bench/hf_train_then_export.py", *sys.argv[1:]]),
        "seed": a.seed,
        "steps": a.steps,
        "losses": losses,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "numpy": np.__version__,
        },
        "bf16_vs_f32_logits_max_abs": float(np.abs(bf16_logits - f32_logits).max()),
        "files": {d: sorted(os.listdir(os.path.join(a.out, d))) for d in ("f32", "bf16-sharded")},
    }
    with open(os.path.join(a.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    log(f"wrote {a.out}: {meta['files']}; loss {losses[0]:.3f} -> {losses[-1]:.3f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
