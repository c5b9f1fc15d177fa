#!/usr/bin/python3
"""PyTorch reference of the retrieval decoder training step that bench/decoder.bench.ts times in tfjs.

Same model as src/core/retrieval/model.ts (condition = item tower 256 -> 192 -> 96, then a pre-LN causal Transformer
decoder: d = 96, 2 blocks, 4 heads, FFN 4d with ReLU, one token table and one output head per ID layer), sequence
length 8 (condition + 7 tokens), vocabulary 256 per layer, batch 256, mean cross-entropy over the 8 layers, Adam
lr 1e-3.

Run with Debian's python3-torch + OpenBLAS:
    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/decoder_ref.py --steps 30
Prints one JSON line: {"steps_per_s": ..., "threads": ..., "torch": ...}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.ln2 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, 4 * d)
        self.ff2 = nn.Linear(4 * d, d)
        self.heads = heads

    def forward(self, x):
        B, T, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, h, d // h).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / (d // h) ** 0.5
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        att = att.masked_fill(mask, -1e9).softmax(-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + self.wo(o)
        return x + self.ff2(F.relu(self.ff1(self.ln2(x))))


class Decoder(nn.Module):
    def __init__(self, dim=256, d=96, L=8, K=256, blocks=2, heads=4):
        super().__init__()
        self.tower = nn.Sequential(nn.Linear(dim, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))
        self.tok = nn.ModuleList([nn.Embedding(K, d) for _ in range(L)])
        self.pos = nn.Parameter(torch.zeros(L, d))
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(blocks)])
        self.lnf = nn.LayerNorm(d)
        self.out = nn.ModuleList([nn.Linear(d, K) for _ in range(L)])
        self.L = L

    def forward(self, x, ids):
        parts = [self.tower(x)[:, None]] + [self.tok[l](ids[:, l])[:, None] for l in range(self.L - 1)]
        h = torch.cat(parts, 1) + self.pos
        for b in self.blocks:
            h = b(h)
        h = self.lnf(h)
        return sum(F.cross_entropy(self.out[l](h[:, l]), ids[:, l]) for l in range(self.L)) / self.L


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=256)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Decoder()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = F.normalize(torch.randn(a.batch, 256), dim=1)
    ids = torch.randint(0, 256, (a.batch, 8))
    for _ in range(3):
        opt.zero_grad()
        model(x, ids).backward()
        opt.step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        opt.zero_grad()
        loss = model(x, ids)
        loss.backward()
        opt.step()
    dt = time.perf_counter() - t0
    print(json.dumps({"steps_per_s": a.steps / dt, "threads": a.threads, "torch": torch.__version__, "loss": float(loss)}))


if __name__ == "__main__":
    main()
