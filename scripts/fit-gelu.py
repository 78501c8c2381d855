"""Fits the float32 polynomials of src/backends/wasm/assembly/vmath.as (verf, vgelu, vgeluGrad).

Run with /usr/bin/python3 (numpy, mpmath); prints each polynomial's coefficients (highest degree
first, rounded to float32) and its relative fit error (u = 2^-24 = 6e-8). Weighted least squares on
Chebyshev nodes, reweighted a few times towards minimax on the relative error (Lawson).
Pieces (a = |z|): A(a^2) = erf(a/sqrt2)/(2a) on [0, 0.75); B(a - 1.875) = Phi(-a) e^{a^2/2} and
G(a - 1.875) = a Phi(-a) e^{a^2/2} on [0.75, 3); C(w) = a Phi(-a) e^{a^2/2}, w = 1/a^2, a >= 3;
E(x^2) = erf(x)/x on [0, 0.75/sqrt2).
"""
import mpmath
import numpy as np

mpmath.mp.dps = 40
A1, A2 = 0.75, 3.0
BC = (A1 + A2) / 2
S2 = mpmath.sqrt(2)


def cheb(a, b, n):
    k = np.arange(n)
    return (a + b) / 2 + (b - a) / 2 * np.cos((2 * k + 1) * np.pi / (2 * n))


def fit(t, ys, deg, iters=30):
    w = np.ones_like(t)
    best = None
    for _ in range(iters):
        V = np.vander(t, deg + 1)
        c, *_ = np.linalg.lstsq(V * (w / np.abs(ys))[:, None], ys * w / np.abs(ys), rcond=None)
        err = np.abs(np.polyval(c, t) - ys) / np.abs(ys)
        if best is None or err.max() < best[0]:
            best = (err.max(), c)
        w = w * (err / err.max() + 1e-3) ** 0.5
        w /= w.max()
    return best


def show(name, res):
    err, c = res
    print(f"{name} (fit error {err:.1e}):", ", ".join(repr(float(np.float32(v))) for v in c))


xs = cheb(0, A1, 400)
show("A", fit(xs * xs, np.array([float(mpmath.erf(x / S2) / x / 2) for x in xs]), 4))
xs = cheb(A1, A2, 600)
show("B", fit(xs - BC, np.array([float(mpmath.erfc(x / S2) * mpmath.exp(x * x / 2) / 2) for x in xs]), 10))
show("G", fit(xs - BC, np.array([float(x * mpmath.erfc(x / S2) * mpmath.exp(x * x / 2) / 2) for x in xs]), 10))
ws = cheb(0, 1 / A2 ** 2, 600)
ws = ws[ws > 1e-7]
show("C", fit(ws, np.array([float((1 / mpmath.sqrt(w)) * mpmath.erfc(1 / mpmath.sqrt(w) / S2) * mpmath.exp(1 / w / 2) / 2) for w in ws]), 8))
xs = cheb(0, A1 / np.sqrt(2), 400)
show("E", fit(xs * xs, np.array([float(mpmath.erf(x) / x) for x in xs]), 4))
