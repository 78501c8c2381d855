#!/usr/bin/python3
"""Writes test/golden/similarity.json: numpy references for plexus's representation similarity
(src/analysis/similarity, checked by test/analysis-similarity.test.ts to 1e-10). Run offline from the
repo root:
    /usr/bin/python3 scripts/golden/similarity.py

CKA follows Kornblith et al.'s published code (the Colab of "Similarity of Neural Network
Representations Revisited", 2019): gram_linear / gram_rbf(threshold) on the raw features,
center_gram (biased, or the unbiased U-statistic form with debiased=True) and cka(gram_x, gram_y).
Canonical correlations: singular values of Qx^T Qy for the QR bases of the centred features (numpy).
The features are not centred before the Gram matrices, as in that code: plexus must agree anyway.
"""
import json
import os

import numpy as np


def gram_linear(x):
    return x.dot(x.T)


def gram_rbf(x, threshold=1.0):
    dot_products = x.dot(x.T)
    sq_norms = np.diag(dot_products)
    sq_distances = -2 * dot_products + sq_norms[:, None] + sq_norms[None, :]
    sq_median_distance = np.median(sq_distances)
    return np.exp(-sq_distances / (2 * threshold ** 2 * sq_median_distance))


def center_gram(gram, unbiased=False):
    gram = gram.copy()
    if unbiased:
        n = gram.shape[0]
        np.fill_diagonal(gram, 0)
        means = np.sum(gram, 0, dtype=np.float64) / (n - 2)
        means -= np.sum(means) / (2 * (n - 1))
        gram -= means[:, None]
        gram -= means[None, :]
        np.fill_diagonal(gram, 0)
    else:
        means = np.mean(gram, 0, dtype=np.float64)
        means -= np.mean(means) / 2
        gram -= means[:, None]
        gram -= means[None, :]
    return gram


def cka(gram_x, gram_y, debiased=False):
    gram_x = center_gram(gram_x, unbiased=debiased)
    gram_y = center_gram(gram_y, unbiased=debiased)
    scaled_hsic = gram_x.ravel().dot(gram_y.ravel())
    return scaled_hsic / (np.linalg.norm(gram_x) * np.linalg.norm(gram_y))


def cca(x, y):
    qx, _ = np.linalg.qr(x - x.mean(0))
    qy, _ = np.linalg.qr(y - y.mean(0))
    return np.linalg.svd(qx.T.dot(qy), compute_uv=False)


def main():
    rng = np.random.default_rng(16)
    n = 40
    x = rng.standard_normal((n, 6)) + 2.0
    # y shares part of x's signal, through a nonlinearity, plus noise.
    y = np.tanh(x[:, :3].dot(rng.standard_normal((3, 5)))) + 0.5 * rng.standard_normal((n, 5))
    cases = {
        "linear": cka(gram_linear(x), gram_linear(y)),
        "linearUnbiased": cka(gram_linear(x), gram_linear(y), debiased=True),
        "rbf": cka(gram_rbf(x, 1.0), gram_rbf(y, 1.0)),
        "rbfThreshold0.5Unbiased": cka(gram_rbf(x, 0.5), gram_rbf(y, 0.5), debiased=True),
    }
    out = {
        "x": {"shape": list(x.shape), "values": [float(v) for v in x.reshape(-1)]},
        "y": {"shape": list(y.shape), "values": [float(v) for v in y.reshape(-1)]},
        "cka": {k: float(v) for k, v in cases.items()},
        "cca": [float(v) for v in cca(x, y)],
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "golden", "similarity.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print(json.dumps({"cka": out["cka"], "cca": out["cca"]}, indent=1))


if __name__ == "__main__":
    main()
