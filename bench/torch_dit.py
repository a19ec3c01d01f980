#!/usr/bin/python3
"""
The capo denoiser (models/denoiser.ts) ported to PyTorch, for bench/sample_bench.ts: the same
network read from the same model.safetensors, so sampling and training speed can be compared
with onnxruntime and tfjs-wasm per core. Runs on Debian's /usr/bin/python3 with python3-torch
(no other packages: the safetensors file is parsed here).

Protocol: one JSON request on stdin, one JSON reply on stdout (float arrays as base64 of
little-endian float32/int32 bytes, so values cross exactly). Requests, by "mode":
  parity  {weights, x, t, tokens, batch}            -> {prediction}
  sample  {weights, batch, guidance, times, tokens, null_tokens, batches}
                                                    -> {images, batch_seconds, cpu_seconds}
  train   {weights, abar, decay, train, steps, warmup, seed}  -> {step_seconds, cpu_seconds, loss}
  finetune {weights, abar, decay, finetune, steps, warmup, seed} -> {step_seconds, cpu_seconds, loss}
Every request carries "threads" (torch.set_num_threads; the caller also sets OMP_NUM_THREADS
and OPENBLAS_NUM_THREADS, since Debian's torch calls the pthread OpenBLAS, which keeps its own
pool). cpu_seconds is the process CPU time over the timed part: about the wall time on one
core.

Notation as in models/denoiser.ts: B batch, S image side, C channels, p patch, G = S / p,
T = G^2 image tokens, P = p*p*C, L prompt tokens, D width, H heads, dh = D / H.
Linear weights are stored [in, out] (safetensors metadata linear_layout "in_out"): y = x W + b.
"""
import base64
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

LN_EPS = 1e-6  # models/nn/layer_norm.ts
TIME_SCALE = 1000.0  # models/nn/timestep.ts
SPECIAL_TOKENS = 3  # <pad>, <unk>, <null> (models/tokenizer.ts)


def b64_f32(s):
    return np.frombuffer(base64.b64decode(s), dtype="<f4").copy()


def b64_i32(s):
    return np.frombuffer(base64.b64decode(s), dtype="<i4").copy()


def to_b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def load_safetensors(path):
    """(config dict, name -> float32 tensor) from a capo model.safetensors."""
    with open(path, "rb") as fh:
        raw = fh.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    if meta.get("linear_layout", "in_out") != "in_out":
        raise ValueError(f"Cannot load {path} as linear_layout must be in_out: {meta}")
    base = 8 + n
    weights = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"Cannot load {path} as tensor '{name}' is {info['dtype']}, not F32")
        a, b = info["data_offsets"]
        arr = np.frombuffer(raw, dtype="<f4", count=(b - a) // 4, offset=base + a)
        weights[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return json.loads(meta["config"]), weights


class Dit:
    """The forward of models/denoiser.ts over a name -> tensor dict (step numbers as there)."""

    def __init__(self, cfg, w, abar):
        self.cfg = cfg
        self.w = w
        half = cfg["timeFeatures"] // 2
        i = np.arange(half, dtype=np.float64)
        self.freqs = torch.tensor(TIME_SCALE * np.exp(-math.log(10000) * i / half), dtype=torch.float32)
        v = cfg["sigmaData"] ** 2
        ab = np.asarray(abar, dtype=np.float64)
        # eps skip table c_i = s / (a^2 sigma_d^2 + s^2) (models/input_skip.ts)
        self.skip = torch.tensor(np.sqrt(1 - ab) / (ab * v + 1 - ab), dtype=torch.float32)

    def linear(self, p, x):
        y = x @ self.w[f"{p}.weight"]
        b = self.w.get(f"{p}.bias")
        return y if b is None else y + b

    def mlp(self, p, x):
        return self.linear(f"{p}.fc2", F.silu(self.linear(f"{p}.fc1", x)))

    def ln(self, p, x):
        d = x.shape[-1]
        if p is None:
            return F.layer_norm(x, (d,), eps=LN_EPS)
        return F.layer_norm(x, (d,), self.w[f"{p}.weight"], self.w[f"{p}.bias"], LN_EPS)

    def attention(self, p, x, ctx):
        b, n, d = x.shape
        l = ctx.shape[1]
        h = self.cfg["heads"]
        dh = d // h
        q = self.linear(f"{p}.q", x).reshape(b, n, h, dh).transpose(1, 2)  # [B,H,N,dh]
        kt = self.linear(f"{p}.k", ctx).reshape(b, l, h, dh).permute(0, 2, 3, 1)  # [B,H,dh,L]
        v = self.linear(f"{p}.v", ctx).reshape(b, l, h, dh).transpose(1, 2)  # [B,H,L,dh]
        att = torch.softmax((q * (1 / math.sqrt(dh))) @ kt, dim=-1)  # [B,H,N,L]
        o = (att @ v).transpose(1, 2).reshape(b, n, d)  # [B,N,D]
        return self.linear(f"{p}.proj", o)

    def input_skip(self, x, t):
        cfg = self.cfg
        if cfg["parameterization"] == "flow":
            v = cfg["sigmaData"] ** 2
            c = (t * (1 + v) - v) / ((1 - t) ** 2 * v + t * t)
        else:
            T = cfg["trainSteps"]
            idx = torch.clamp(torch.round(t * T), 0, T - 1).long()
            c = self.skip[idx]
        return c.reshape(-1, 1, 1, 1) * x

    def __call__(self, x, t, tokens):
        """x [B,S,S,C], t [B], tokens [B,L] int64 -> prediction [B,S,S,C]."""
        cfg, w = self.cfg, self.w
        B, S, _, C = x.shape
        p = cfg["patchSize"]
        G = S // p
        D = cfg["width"]
        # 1. prompt
        h = w["text.embed"][tokens] + w["text.pos"]  # [B,L,D]
        for i in range(cfg["textDepth"]):
            q = f"text.blocks.{i}"
            n = self.ln(f"{q}.norm1", h)
            h = h + self.attention(f"{q}.attn", n, n)
            h = h + self.mlp(f"{q}.mlp", self.ln(f"{q}.norm2", h))
        ctx = self.ln("text.norm", h)
        # 2. condition
        args = t.reshape(-1, 1) * self.freqs.reshape(1, -1)
        temb = self.mlp("t_embed", torch.cat([torch.cos(args), torch.sin(args)], -1))  # [B,D]
        cs = F.silu(temb + self.linear("pool", ctx.mean(1)))
        # 3. image tokens
        patches = x.reshape(B * G, p, G, p * C).transpose(1, 2).reshape(B, G * G, p * p * C)
        h = self.linear("patch_embed", patches) + w["pos"]  # [B,T,D]
        # 4. blocks
        for i in range(cfg["depth"]):
            q = f"blocks.{i}"
            s1, k1, g1, s2, k2, g2 = self.linear(f"{q}.ada", cs).reshape(B, 1, 6 * D).split(D, -1)
            n = self.ln(None, h) * (1 + k1) + s1
            h = h + g1 * self.attention(f"{q}.attn", n, n)
            h = h + self.attention(f"{q}.cross", self.ln(f"{q}.norm_ca", h), ctx)
            h = h + g2 * self.mlp(f"{q}.mlp", self.ln(None, h) * (1 + k2) + s2)
        # 5. output
        s, k = self.linear("final.ada", cs).reshape(B, 1, 2 * D).split(D, -1)
        out = self.linear("final.proj", self.ln(None, h) * (1 + k) + s)  # [B,T,P]
        y = out.reshape(B * G, G, p, p * C).transpose(1, 2).reshape(B, S, S, C)
        return y + self.input_skip(x, t) if cfg["inputSkip"] else y


def shape_of(cfg, batch):
    return (batch, cfg["imageSize"], cfg["imageSize"], cfg["channels"])


def parity(req, cfg, model):
    B = req["batch"]
    x = torch.from_numpy(b64_f32(req["x"]).reshape(shape_of(cfg, B)))
    t = torch.from_numpy(b64_f32(req["t"]))
    tokens = torch.from_numpy(b64_i32(req["tokens"]).reshape(B, cfg["maxTokens"])).long()
    with torch.no_grad():
        y = model(x, t, tokens)
    return {"prediction": to_b64(y.numpy())}


def sample(req, cfg, model):
    """The DDIM loop of models/sampler.ts + models/sampling_steps.ts (eta 0), guidance doubling
    the batch; timed over `batches` whole batches after one warm-up forward."""
    B, g, times = req["batch"], req["guidance"], req["times"]
    L = cfg["maxTokens"]
    cond = torch.from_numpy(b64_i32(req["tokens"]).reshape(B, L)).long()
    null = torch.from_numpy(b64_i32(req["null_tokens"]).reshape(1, L)).long().expand(B, L)
    tokens = torch.cat([cond, null]) if g != 1 else cond
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        model(torch.zeros(shape_of(cfg, tokens.shape[0])), torch.full((tokens.shape[0],), 0.5), tokens)
        per_batch = []
        c0 = time.process_time()
        for _ in range(req["batches"]):
            t0 = time.perf_counter()
            x = torch.randn(shape_of(cfg, B), generator=gen)
            for k, st in enumerate(times):
                xin = torch.cat([x, x]) if g != 1 else x
                raw = model(xin, torch.full((xin.shape[0],), st["tau"]), tokens)
                p = raw[B:] + g * (raw[:B] - raw[B:]) if g != 1 else raw
                if cfg["parameterization"] == "flow":
                    nxt = times[k + 1]["level"] if k + 1 < len(times) else 0.0
                    x = x + (nxt - st["level"]) * p
                else:
                    ab = st["level"]
                    nxt = times[k + 1]["level"] if k + 1 < len(times) else 1.0
                    x0 = torch.clamp((x - math.sqrt(1 - ab) * p) / math.sqrt(ab), -1, 1)  # 1.
                    e = (x - math.sqrt(ab) * x0) / math.sqrt(1 - ab)  # 2.
                    x = math.sqrt(nxt) * x0 + math.sqrt(max(0.0, 1 - nxt)) * e  # 3.
            ((torch.clamp(x, -1, 1) + 1) * 127.5).round().to(torch.uint8)
            per_batch.append(time.perf_counter() - t0)
    return {"images": B * req["batches"], "batch_seconds": per_batch, "cpu_seconds": time.process_time() - c0}


def adamw(params, decay, c):
    """AdamW over `params` as the trainers configure it: weight decay c["weightDecay"] on the
    names in `decay` (the spec's decay set), none on the rest, learning rate c["lr"]."""
    return torch.optim.AdamW(
        [
            {"params": [v for k, v in params.items() if k in decay], "weight_decay": c["weightDecay"]},
            {"params": [v for k, v in params.items() if k not in decay], "weight_decay": 0.0},
        ],
        lr=c["lr"],
        betas=(0.9, 0.999),
        eps=1e-8,
    )


def timed(req, step, losses):
    """Runs `step(k)` for req["warmup"] untimed steps, then req["steps"] timed ones; the wall time
    of each timed step, their CPU time and the last loss `step` appended to `losses`."""
    for k in range(req["warmup"]):
        step(k)
    per_step = []
    c0 = time.process_time()
    for k in range(req["steps"]):
        t0 = time.perf_counter()
        step(req["warmup"] + k)
        per_step.append(time.perf_counter() - t0)
    return {"step_seconds": per_step, "cpu_seconds": time.process_time() - c0, "loss": losses[-1]}


def train(req, cfg, weights, abar):
    """models/trainer.ts' pretraining step: noise at DDPM steps (eps) or logit-normal/uniform
    times (flow), prompt dropout, (Min-SNR weighted) MSE, AdamW with decay on the spec's decay
    set, global-norm clipping, EMA. Timed over `steps` after `warmup` steps."""
    tc = req["train"]
    B, L = tc["batchSize"], cfg["maxTokens"]
    V = cfg["vocabulary"]
    gen = torch.Generator().manual_seed(req["seed"])
    params = {k: v.clone().requires_grad_(True) for k, v in weights.items()}
    ema = {k: v.clone() for k, v in weights.items()}
    opt = adamw(params, set(req["decay"]), tc)
    model = Dit(cfg, params, abar)
    ab_t = torch.tensor(np.asarray(abar, dtype=np.float64), dtype=torch.float32)
    T = cfg["trainSteps"]
    vocab = len(V) + SPECIAL_TOKENS
    # A fixed pool of "images" in [-1, 1] and prompts: data loading is not the step being timed
    # (tfjs' side draws from pre-rendered ShapeWorld examples likewise).
    x0_pool = torch.rand((4 * B,) + shape_of(cfg, 1)[1:], generator=gen) * 2 - 1
    tok_pool = torch.randint(SPECIAL_TOKENS, vocab, (4 * B, L), generator=gen)
    null = torch.zeros(L, dtype=torch.long)
    null[0] = 2
    losses = []

    def step(k):
        j = (k * B) % (4 * B)
        x0 = x0_pool[j : j + B]
        tokens = tok_pool[j : j + B].clone()
        drop = torch.rand(B, generator=gen) < tc["pUncond"]
        tokens[drop] = null
        eps = torch.randn(x0.shape, generator=gen)
        if cfg["parameterization"] == "eps":
            i = torch.randint(0, T, (B,), generator=gen)
            ab = ab_t[i]
            a, s, tau = ab.sqrt(), (1 - ab).sqrt(), i.float() / T
            target = eps
            lam = torch.log(ab / (1 - ab))
            g = tc["minSnrGamma"]
            wgt = torch.clamp(lam.exp(), max=g) / lam.exp() if g > 0 else torch.ones(B)
        else:
            u = torch.rand(B, generator=gen)
            n = torch.randn(B, generator=gen)
            mix = tc["flowUniformMix"]
            t = torch.where(u < mix, u / max(mix, 1e-12), torch.sigmoid(n)).clamp(1e-5, 1 - 1e-5)
            a, s, tau = 1 - t, t, t
            target = eps - x0
            wgt = torch.ones(B)
        xt = a.reshape(-1, 1, 1, 1) * x0 + s.reshape(-1, 1, 1, 1) * eps
        sq = (model(xt, tau, tokens) - target) ** 2
        loss = (sq * wgt.reshape(-1, 1, 1, 1)).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if tc["gradClip"] > 0:
            torch.nn.utils.clip_grad_norm_(list(params.values()), tc["gradClip"])
        opt.step()
        with torch.no_grad():
            d = min(tc["emaDecay"], (2 + k) / (11 + k))
            for name, e in ema.items():
                e.mul_(d).add_(params[name].detach(), alpha=1 - d)
        losses.append(float(loss))

    return timed(req, step, losses)


def finetune(req, cfg, weights, abar):
    """stages/train/preference_trainer.ts' step: per pair one t and one eps shared by the winner
    and the loser, the frozen reference's error without gradients, err_theta of the policy,
    dR_theta = beta * w(t) * (h(x+) - h(x-)), the CaPO loss (dR_theta - dR_ca)^2, AdamW with
    the decay set, global-norm clipping. Timed over `steps` after `warmup` steps."""
    fc = req["finetune"]
    P, L = fc["pairs"], cfg["maxTokens"]
    N = 2 * P
    gen = torch.Generator().manual_seed(req["seed"])
    params = {k: v.clone().requires_grad_(True) for k, v in weights.items()}
    opt = adamw(params, set(req["decay"]), fc)
    policy = Dit(cfg, params, abar)
    reference = Dit(cfg, {k: v.clone() for k, v in weights.items()}, abar)
    ab_t = torch.tensor(np.asarray(abar, dtype=np.float64), dtype=torch.float32)
    T = cfg["trainSteps"]
    vocab = len(cfg["vocabulary"]) + SPECIAL_TOKENS
    # Fixed pools of pairs (x0 in [-1, 1], prompts, dR_ca): data loading is not timed.
    x0_pool = torch.rand((2 * N,) + shape_of(cfg, 1)[1:], generator=gen) * 2 - 1
    tok_pool = torch.randint(SPECIAL_TOKENS, vocab, (N, L), generator=gen)
    dca_pool = torch.rand(N, generator=gen) - 0.5
    losses = []

    def step(k):
        j = (k * P) % N
        x0 = torch.cat([x0_pool[2 * j : 2 * j + P], x0_pool[2 * j + P : 2 * j + 2 * P]])
        tokens = torch.cat([tok_pool[j : j + P], tok_pool[j : j + P]])
        dca = dca_pool[j : j + P]
        eps = torch.randn((P,) + x0.shape[1:], generator=gen).repeat(2, 1, 1, 1)
        if cfg["parameterization"] == "eps":
            i = torch.randint(0, T, (P,), generator=gen).repeat(2)
            ab = ab_t[i]
            a, s, tau = ab.sqrt(), (1 - ab).sqrt(), i.float() / T
            target = eps
        else:
            t = torch.sigmoid(torch.randn(P, generator=gen)).clamp(1e-5, 1 - 1e-5).repeat(2)
            a, s, tau = 1 - t, t, t
            target = eps - x0
        xt = a.reshape(-1, 1, 1, 1) * x0 + s.reshape(-1, 1, 1, 1) * eps
        with torch.no_grad():
            err_ref = ((reference(xt, tau, tokens) - target) ** 2).mean(dim=[1, 2, 3])
        err_theta = ((policy(xt, tau, tokens) - target) ** 2).mean(dim=[1, 2, 3])
        h = err_ref - err_theta
        d_r = fc["beta"] * (h[:P] - h[P:])  # w(t) = 1 (the trainer's default weighting)
        loss = ((d_r - dca) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if fc["gradClip"] > 0:
            torch.nn.utils.clip_grad_norm_(list(params.values()), fc["gradClip"])
        opt.step()
        losses.append(float(loss))

    return timed(req, step, losses)


def main():
    req = json.load(sys.stdin)
    torch.set_num_threads(int(req.get("threads", 1)))
    cfg, weights = load_safetensors(req["weights"])
    abar = req["abar"]
    if len(abar) != cfg["trainSteps"]:
        raise ValueError(f"abar must have {cfg['trainSteps']} values: current length is {len(abar)}")
    mode = req["mode"]
    if mode == "parity":
        out = parity(req, cfg, Dit(cfg, weights, abar))
    elif mode == "sample":
        out = sample(req, cfg, Dit(cfg, weights, abar))
    elif mode == "train":
        out = train(req, cfg, weights, abar)
    elif mode == "finetune":
        out = finetune(req, cfg, weights, abar)
    else:
        raise ValueError(
            f"mode must be one of parity, sample, train, finetune: current value is {mode!r}"
        )
    out["torch"] = torch.__version__
    out["threads"] = torch.get_num_threads()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
