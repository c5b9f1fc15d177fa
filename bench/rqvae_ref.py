#!/usr/bin/python3
"""PyTorch reference of the RQ-VAE training step that bench/rqvae.bench.ts times in tfjs.

Same model and step as src/core/models/rqvae.ts: encoder 768-512-256-64 (ReLU), 3 residual codebooks of 256 x 64,
decoder mirror, nearest-code assignment, straight-through estimator, codebook + 0.25 x commitment loss, squared-error
reconstruction (sum over dims, mean over batch), Adam lr 1e-3, batch 1024.

Run with Debian's python3-torch + OpenBLAS (see docs/benchmarks.md):
    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/rqvae_ref.py --steps 20
Prints one JSON line: {"steps_per_s": ..., "threads": ..., "torch": ...}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn


class RQVAE(nn.Module):
    def __init__(self, dims=(768, 512, 256, 64), layers=3, k=256):
        super().__init__()
        enc = []
        for i in range(len(dims) - 1):
            enc.append(nn.Linear(dims[i], dims[i + 1]))
            if i < len(dims) - 2:
                enc.append(nn.ReLU())
        rdims = dims[::-1]
        dec = []
        for i in range(len(rdims) - 1):
            dec.append(nn.Linear(rdims[i], rdims[i + 1]))
            if i < len(rdims) - 2:
                dec.append(nn.ReLU())
        self.encoder = nn.Sequential(*enc)
        self.decoder = nn.Sequential(*dec)
        self.codebooks = nn.ParameterList([nn.Parameter(torch.randn(k, dims[-1]) * 0.1) for _ in range(layers)])

    def forward(self, x, commitment=0.25):
        z = self.encoder(x)
        r = z
        zq = torch.zeros_like(z)
        rq_loss = x.new_zeros(())
        for c in self.codebooks:
            with torch.no_grad():
                d = (r * r).sum(1, keepdim=True) - 2 * r @ c.t() + (c * c).sum(1)[None, :]
                idx = d.argmin(1)
            e = c[idx]
            rq_loss = rq_loss + ((r.detach() - e) ** 2).sum(1).mean() + commitment * ((r - e.detach()) ** 2).sum(1).mean()
            zq = zq + e.detach()
            r = r - e.detach()
        z_hat = z + (zq - z).detach()
        x_hat = self.decoder(z_hat)
        recon = ((x - x_hat) ** 2).sum(1).mean()
        return recon + rq_loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = RQVAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.nn.functional.normalize(torch.randn(args.batch, 768), dim=1)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model(x)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    dt = time.perf_counter() - t0
    print(json.dumps({"steps_per_s": args.steps / dt, "threads": args.threads, "torch": torch.__version__, "loss": loss}))


if __name__ == "__main__":
    main()
