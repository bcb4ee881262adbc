#!/usr/bin/env python3
"""Continues a Mamba SeqLab training run with transformers + accelerate, on one GPU or many.

Written into its folder by `seqlab export-run`, beside what it reads:
  handoff.json           the run's objective, schedule, batch, window length and where it stands
  model/                 the latest checkpoint as a transformers MambaForCausalLM folder
  optimizer.safetensors  AdamW's moments (exp_avg.NAME, exp_avg_sq.NAME, NAME as in the model)
  data/                  the training and validation token runs (2 bits or a byte a token) and their manifest
  metrics.jsonl          SeqLab's metrics so far; this script appends to it

It reproduces SeqLab's training: next-token cross-entropy over windows of `length` + 1 tokens drawn
uniformly from the training runs (for DNA, reverse-complemented with probability 1/2), AdamW with
decoupled weight decay on matrices and embeddings only, global gradient-norm clipping, linear warmup
then cosine decay, and the validation loss over the same evenly spread held-out windows. The global
batch (windows per step) is split over the processes; each process draws its own windows.

Checkpoints go to OUT/checkpoints/step-N/ (model/, optimizer.safetensors, trainer_state.json), named
by OUT/checkpoints/latest.json; a second launch resumes from the latest. `seqlab import-run` brings
the result back into the SeqLab run folder.
"""
import argparse
import hashlib
import json
import math
import os
import shutil
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from accelerate import Accelerator
from safetensors.torch import load_file, save_file
from transformers import MambaForCausalLM

HERE = Path(__file__).resolve().parent
LOG_EVERY = 10  # steps between training-loss records, as in SeqLab
VAL_BATCH = 16  # windows per validation forward
TOKENIZER_FILES = [
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "seqlab_tokenizer.json",
    "generation_config.json",
]


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_atomic(path, text):
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def parse_args(handoff):
    hyper, schedule = handoff["hyper"], handoff["schedule"]
    steps_left, minutes_left = schedule.get("stepsLeft"), schedule.get("minutesLeft")
    p = argparse.ArgumentParser(description="Continue a Mamba SeqLab run with transformers + accelerate.")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument(
        "--steps",
        type=int,
        help="optimizer steps to train past the exported step"
        + (f" (default {steps_left}: what the run's step budget has left)" if steps_left is not None else ""),
    )
    budget.add_argument(
        "--minutes",
        type=float,
        help="minutes of training steps past the exported point"
        + (f" (default {minutes_left:.1f}: what the run's time budget has left)" if minutes_left is not None else ""),
    )
    p.add_argument(
        "--new-schedule",
        action="store_true",
        help="a fresh warmup and cosine decay over this launch's budget, for a run whose schedule has run out",
    )
    p.add_argument("--batch", type=int, default=hyper["batch"], help="windows per step over all processes")
    p.add_argument("--eval-every", type=int, default=hyper["evalEvery"])
    p.add_argument("--checkpoint-every", type=int, default=hyper["checkpointEvery"])
    p.add_argument("--seed", type=int, default=hyper["seed"])
    p.add_argument("--out", type=Path, default=HERE, help="where checkpoints and metrics.jsonl go (default: here)")
    p.add_argument(
        "--scan",
        choices=["parallel", "sequential"],
        default="parallel",
        help="transformers' PyTorch scan when mamba_ssm's CUDA kernels are absent: parallel (mambapy) or a loop over time",
    )
    p.add_argument("--tf32", action=argparse.BooleanOptionalAction, default=True, help="TF32 matmuls on Ampere and later")
    args = p.parse_args()
    if args.steps is None and args.minutes is None:
        args.steps, args.minutes = steps_left, minutes_left
    if not ((args.steps or 0) > 0 or (args.minutes or 0) > 0):
        p.error("give --steps N or --minutes M (positive): the run's own budget is spent")
    return args


class Budget:
    """Where training stops and how far the cosine decay has gone, as SeqLab counts them: steps past
    the exported step, or seconds of step time past the exported time. Counted from the export, so a
    relaunch that resumes from a checkpoint here keeps the same end."""

    def __init__(self, args, handoff):
        self.schedule, start = dict(handoff["schedule"]), handoff["progress"]
        if args.new_schedule:  # warmup counted from here, the decay from its start
            self.schedule.update(step=start["step"], progress=0.0, warmupFrom=start["step"])
        self.end_step = start["step"] + args.steps if args.steps else None
        self.start_sec, self.span_sec = start["elapsedSec"], (args.minutes or 0) * 60

    def progress(self, step, elapsed):
        s0, p0 = self.schedule["step"], self.schedule["progress"]
        done = (step - s0) / max(1, self.end_step - s0) if self.end_step else (elapsed - self.start_sec) / self.span_sec
        return min(1.0, max(0.0, p0 + (1 - p0) * done))

    def spent(self, step, elapsed):
        return step >= self.end_step if self.end_step else elapsed - self.start_sec >= self.span_sec

    def describe(self, step):
        return f"step {step} -> {self.end_step}" if self.end_step else f"step {step}, {self.span_sec / 60:g} minutes"


class TokenRuns:
    """One split's runs of scored tokens, concatenated, with each run's offset and length."""

    def __init__(self, manifest, split):
        meta = manifest["splits"][split]
        path = HERE / "data" / meta["file"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != meta["sha256"]:
            raise SystemExit(f"{path}: SHA-256 {digest[:12]}…, data/manifest.json says {meta['sha256'][:12]}…")
        stored = np.fromfile(path, dtype=np.uint8)
        if meta["encoding"] == "2bit":  # four tokens a byte, the first in the high bits
            codes = ((stored[:, None] >> np.array([6, 4, 2, 0], dtype=np.uint8)) & 3).reshape(-1)[: meta["tokens"]]
            stored = np.array(meta["alphabet"], dtype=np.uint8)[codes]
        self.tokens = stored
        self.offsets = np.array([r["offset"] for r in meta["runs"]], dtype=np.int64)
        self.lengths = np.array([r["length"] for r in meta["runs"]], dtype=np.int64)
        if self.tokens.size != meta["tokens"]:
            raise SystemExit(f"{path}: {self.tokens.size} tokens, data/manifest.json says {meta['tokens']}")


class WindowSampler:
    """Windows of length + 1 tokens, uniform over every valid start of every run (SeqLab's window-sampler.ts)."""

    def __init__(self, runs, length, complement):
        self.runs, self.length = runs, length
        self.complement = None if complement is None else np.array(complement, dtype=np.uint8)
        self.cumulative = np.concatenate([[0], np.cumsum(np.maximum(0, runs.lengths - length))])
        self.starts = int(self.cumulative[-1])
        if self.starts <= 0:
            raise SystemExit(f"no training window of {length + 1} tokens fits in the data")

    def sample(self, rng, b):
        pick = rng.random(b) * self.starts
        run = np.searchsorted(self.cumulative, pick, side="right") - 1
        start = np.floor(pick - self.cumulative[run]).astype(np.int64)
        w = self.runs.tokens[(self.runs.offsets[run] + start)[:, None] + np.arange(self.length + 1)]
        if self.complement is not None:
            flip = rng.random(b) < 0.5
            w[flip] = self.complement[w[flip][:, ::-1]]
        return torch.from_numpy(w.astype(np.int64))


def even_windows(runs, length, most):
    """Up to `most` non-overlapping windows spread evenly over the runs (SeqLab's evenWindows)."""
    found = []
    for off, n in zip(runs.offsets.tolist(), runs.lengths.tolist()):
        found.extend(range(off, off + n - length, length + 1))
    if len(found) > most:
        found = [found[(i * len(found)) // most] for i in range(most)]
    if not found:
        return None
    return torch.from_numpy(runs.tokens[np.array(found)[:, None] + np.arange(length + 1)].astype(np.int64))


def learning_rate(step, schedule, progress):
    """Linear warmup, then cosine decay to minRatio * peak as progress goes from 0 to 1 (SeqLab's schedule.ts);
    a new schedule warms up from the step it starts at."""
    peak, warmup, min_ratio = schedule["peak"], schedule["warmup"], schedule["minRatio"]
    since = step - schedule.get("warmupFrom", 0)
    if since < warmup:
        return peak * (since + 1) / warmup
    return peak * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def window_loss(model, windows):
    """Summed next-token cross-entropy (nats) over the windows' last `length` tokens, and their count."""
    logits = model(input_ids=windows[:, :-1]).logits
    targets = windows[:, 1:]
    nats = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), targets.reshape(-1), reduction="sum")
    return nats, targets.numel()


@torch.no_grad()
def validation_bits(model, windows, device):
    model.eval()
    nats, count = 0.0, 0
    for i in range(0, windows.shape[0], VAL_BATCH):
        n, c = window_loss(model, windows[i : i + VAL_BATCH].to(device))
        nats, count = nats + n.item(), count + c
    model.train()
    return nats / count / math.log(2)


def start_point(out, handoff):
    """The latest checkpoint this script wrote in OUT, or the exported run."""
    latest = out / "checkpoints" / "latest.json"
    if latest.exists():
        name = read_json(latest)["checkpoint"]
        ck = out / "checkpoints" / name
        return ck / "model", ck / "optimizer.safetensors", read_json(ck / "trainer_state.json")
    return HERE / "model", HERE / "optimizer.safetensors", handoff["progress"]


def make_optimizer(model, handoff, moments_path, adam_t, device):
    """torch AdamW with SeqLab's groups and hyperparameters, its state set from the exported moments."""
    adam = handoff["adamw"]
    no_decay = set(adam["noDecay"])
    named = dict(model.named_parameters())
    unknown = no_decay - named.keys()
    if unknown:
        raise SystemExit(f"handoff.json adamw.noDecay names parameters the model lacks: {sorted(unknown)}")
    groups = [
        {"params": [p for n, p in named.items() if n not in no_decay], "weight_decay": adam["weightDecay"]},
        {"params": [p for n, p in named.items() if n in no_decay], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=0.0, betas=(adam["beta1"], adam["beta2"]), eps=adam["eps"])
    moments = {k: t.to(device) for k, t in load_file(str(moments_path)).items()}
    for n, p in named.items():
        m, v = moments.get(f"exp_avg.{n}"), moments.get(f"exp_avg_sq.{n}")
        if m is None or v is None:
            raise SystemExit(f"{moments_path}: no exp_avg/exp_avg_sq for parameter {n}")
        if m.shape != p.shape or v.shape != p.shape:
            raise SystemExit(f"{moments_path}: moments of {n} have shape {list(m.shape)}, the parameter {list(p.shape)}")
        opt.state[p] = {"step": torch.tensor(float(adam_t)), "exp_avg": m.contiguous(), "exp_avg_sq": v.contiguous()}
    return opt


def save_checkpoint(out, model, opt, state):
    """OUT/checkpoints/step-N/, written aside and renamed into place, then named by latest.json."""
    root = out / "checkpoints"
    name = f"step-{state['step']:07d}"
    final, tmp = root / name, root / f"{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp / "model", safe_serialization=True)
    for f in TOKENIZER_FILES:
        if (HERE / "model" / f).exists():
            shutil.copy(HERE / "model" / f, tmp / "model" / f)
    moments = {}
    for n, p in model.named_parameters():
        s = opt.state[p]
        moments[f"exp_avg.{n}"] = s["exp_avg"].detach().float().cpu().contiguous()
        moments[f"exp_avg_sq.{n}"] = s["exp_avg_sq"].detach().float().cpu().contiguous()
    save_file(moments, str(tmp / "optimizer.safetensors"))
    (tmp / "trainer_state.json").write_text(json.dumps(state, indent=2) + "\n")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    write_atomic(root / "latest.json", json.dumps({"checkpoint": name, "step": state["step"]}) + "\n")


def main():
    handoff = read_json(HERE / "handoff.json")
    args = parse_args(handoff)
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    # cpu=True without a GPU: processes launched on CPUs (torchrun, gloo) then form one group, as GPUs do.
    acc = Accelerator(cpu=not torch.cuda.is_available())
    if args.batch % acc.num_processes:
        raise SystemExit(f"--batch {args.batch} must be a multiple of the {acc.num_processes} processes")
    out = args.out.resolve()
    if acc.is_main_process and out != HERE:
        out.mkdir(parents=True, exist_ok=True)
        # OUT then stands for the export too: `seqlab import-run --from OUT` reads handoff.json there.
        shutil.copy(HERE / "handoff.json", out / "handoff.json")
        if not (out / "metrics.jsonl").exists():
            shutil.copy(HERE / "metrics.jsonl", out / "metrics.jsonl")
    acc.wait_for_everyone()

    hyper = handoff["hyper"]
    length = hyper["length"]
    manifest = read_json(HERE / "data" / "manifest.json")
    sampler = WindowSampler(TokenRuns(manifest, "train"), length, manifest.get("complement"))
    val = even_windows(TokenRuns(manifest, "val"), length, hyper["valWindows"])

    model_dir, moments_path, state = start_point(out, handoff)
    model = MambaForCausalLM.from_pretrained(model_dir, use_mambapy=args.scan == "parallel").to(acc.device)
    model.train()
    torch_adamw = make_optimizer(model, handoff, moments_path, state["adamT"], acc.device)
    model, opt = acc.prepare(model, torch_adamw)  # opt wraps torch_adamw, whose state the checkpoints save
    params = [p for p in model.parameters()]

    budget = Budget(args, handoff)
    step, tokens, elapsed, adam_t = state["step"], state["tokens"], state["elapsedSec"], state["adamT"]
    local_batch = args.batch // acc.num_processes
    rng = np.random.default_rng([args.seed, acc.process_index, step])
    backend = f"pytorch {torch.__version__} on {acc.num_processes} x {torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu'}"
    if acc.is_main_process:
        print(
            f"{handoff['run']}: {budget.describe(step)}, {args.batch} windows of {length} tokens per step "
            f"({local_batch} per process), {backend}; {sampler.starts} training window starts, "
            f"{0 if val is None else val.shape[0]} validation windows",
            flush=True,
        )
    metrics = open(out / "metrics.jsonl", "a", encoding="utf-8") if acc.is_main_process else None
    window_nats = torch.zeros(2, device=acc.device)
    window_start, window_tokens = time.perf_counter(), 0

    def state_now():
        return {"step": step, "tokens": tokens, "elapsedSec": round(elapsed, 2), "adamT": adam_t}

    while not budget.spent(step, elapsed):
        t0 = time.perf_counter()
        lr = learning_rate(step, budget.schedule, budget.progress(step, elapsed))
        for g in opt.param_groups:
            g["lr"] = lr
        batch = sampler.sample(rng, local_batch).to(acc.device)
        nats, count = window_loss(model, batch)
        acc.backward(nats / count)
        norm = acc.clip_grad_norm_(params, hyper["clip"])
        if not torch.isfinite(norm):
            raise SystemExit(f"gradient norm is {norm.item()} at step {step}: the loss diverged")
        opt.step()
        opt.zero_grad(set_to_none=True)
        window_nats += torch.stack([nats.detach(), torch.tensor(float(count), device=acc.device)])
        step, adam_t = step + 1, adam_t + 1
        tokens += args.batch * length
        window_tokens += args.batch * length
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        elapsed += time.perf_counter() - t0
        # Every process stops at the same step: the main one's clock decides a time budget.
        last = bool(acc.reduce(torch.tensor(float(budget.spent(step, elapsed)), device=acc.device), reduction="sum") > 0)
        rec = {"step": step, "tokens": tokens, "elapsedSec": round(elapsed, 2)}
        if step % LOG_EVERY == 0 or last:
            total = acc.reduce(window_nats, reduction="sum")
            now = time.perf_counter()
            rec.update(
                lr=lr,
                trainBits=(total[0] / total[1]).item() / math.log(2),
                tokensPerSec=round(window_tokens / (now - window_start)),
            )
            window_nats.zero_()
            window_start, window_tokens = now, 0
        if (step % args.eval_every == 0 or last) and val is not None and acc.is_main_process:
            rec["valBits"] = validation_bits(acc.unwrap_model(model), val, acc.device)
        if acc.is_main_process and len(rec) > 3:
            metrics.write(json.dumps(rec) + "\n")
            metrics.flush()
            if "valBits" in rec:
                print(f"step {step}: train {rec.get('trainBits', float('nan')):.4f} bits/token, val {rec['valBits']:.4f}", flush=True)
        if step % args.checkpoint_every == 0 or last:
            acc.wait_for_everyone()
            if acc.is_main_process:
                save_checkpoint(out, acc.unwrap_model(model), torch_adamw, state_now())
            acc.wait_for_everyone()
        if last:
            break
    if acc.is_main_process:
        metrics.close()
        print(f"finished at step {step}; checkpoint {out / 'checkpoints' / f'step-{step:07d}'}", flush=True)


if __name__ == "__main__":
    main()
