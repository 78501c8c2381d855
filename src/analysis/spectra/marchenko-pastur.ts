/**
 * @file The Marchenko–Pastur law (Marchenko & Pastur 1967), the random-matrix reference for weight
 * spectra (Martin & Mahoney 2021, https://arxiv.org/abs/1810.01075): for W [N, M] (N >= M) with
 * i.i.d. entries of variance σ², the eigenvalues of X = WᵀW / N fill [σ²(1 - √c)², σ²(1 + √c)²],
 * c = M / N, with density p(x) = √((b - x)(x - a)) / (2π σ² c x). Here everything is in the units of
 * WᵀW itself (λ = N x, WeightWatcher's unnormalised eigenvalues), so the bulk edge is
 * λ+ = σ²(√N + √M)². Eigenvalues beyond it are the "spikes" that learning puts in.
 */

export interface MarchenkoPastur {
  /** Bulk edges in units of WᵀW. */
  lambdaMin: number;
  lambdaMax: number;
  /** Density of an eigenvalue λ of WᵀW. */
  pdf(lambda: number): number;
  /** P(eigenvalue <= λ). */
  cdf(lambda: number): number;
}

const STEPS = 4096;

/**
 * The MP law of WᵀW for W [rows, cols] with entry variance sigma2 (the larger dimension plays N).
 * @example const mp = marchenkoPastur(1000, 500, 1);   // mp.lambdaMax = (√1000 + √500)²
 */
export function marchenkoPastur(rows: number, cols: number, sigma2: number): MarchenkoPastur {
  const N = Math.max(rows, cols);
  const M = Math.min(rows, cols);
  const c = M / N;
  const a = sigma2 * (1 - Math.sqrt(c)) ** 2;
  const b = sigma2 * (1 + Math.sqrt(c)) ** 2;
  const pdfX = (x: number): number => (x <= a || x >= b ? 0 : Math.sqrt((b - x) * (x - a)) / (2 * Math.PI * sigma2 * c * x));
  // CDF table in θ, x = a + (b - a)(1 - cos θ)/2: the integrand ((b-a)/2)² sin²θ / (2π σ² c x) is
  // smooth at both edges, where the density in x has square-root ends.
  const h = Math.PI / STEPS;
  const w = (b - a) / 2;
  const integrand = (t: number): number => { const x = a + w * (1 - Math.cos(t)); return x > 0 ? (w * w * Math.sin(t) ** 2) / (2 * Math.PI * sigma2 * c * x) : 0; };
  const table = new Float64Array(STEPS + 1);
  for (let i = 1; i <= STEPS; i++) table[i] = table[i - 1]! + (h / 2) * (integrand((i - 1) * h) + integrand(i * h));
  const total = table[STEPS]!;
  const cdfX = (x: number): number => {
    if (x <= a) return 0;
    if (x >= b) return 1;
    const t = Math.acos(Math.min(1, Math.max(-1, 1 - (x - a) / w)));
    const f = t / h;
    const i = Math.min(STEPS - 1, Math.floor(f));
    return (table[i]! + (f - i) * (table[i + 1]! - table[i]!)) / total;
  };
  return { lambdaMin: N * a, lambdaMax: N * b, pdf: (l) => pdfX(l / N) / N, cdf: (l) => cdfX(l / N) };
}

/** Kolmogorov–Smirnov distance between the eigenvalues' empirical CDF and the MP law. */
export function mpKSDistance(eigenvalues: ArrayLike<number>, mp: MarchenkoPastur): number {
  const v = Float64Array.from(eigenvalues).sort();
  const n = v.length;
  let D = 0;
  for (let i = 0; i < n; i++) {
    const F = mp.cdf(v[i]!);
    D = Math.max(D, Math.abs((i + 1) / n - F), Math.abs(i / n - F));
  }
  return D;
}
