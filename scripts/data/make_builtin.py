#!/usr/bin/env python3
"""Writes the built-in datasets under data/builtin/ from scikit-learn's copies (offline, from Debian).

Provenance: Debian bookworm package python3-sklearn 1.2.1+dfsg-1 ships
sklearn/datasets/data/digits.csv.gz (UCI optdigits test set, 1797 x 64 + label) and
sklearn/datasets/data/iris.csv (150 x 4 + class id). Get them without installing:

    apt-get download python3-sklearn && dpkg-deb -x python3-sklearn_*.deb /tmp/skl
    python3 scripts/data/make_builtin.py /tmp/skl/usr/lib/python3/dist-packages/sklearn/datasets/data

Output formats (read by src/data/builtin.ts):
- digits.txt: '#' comment lines, then one sample per line: the label digit, a space, and the 64
  pixel values (0..16) as base-17 digits 0-9a-g, row-major. 67 bytes a sample instead of ~147.
- iris.csv: header sepal_length,sepal_width,petal_length,petal_width,species; species by name.
"""
import csv, gzip, os, sys

src = sys.argv[1]
out = os.path.join(os.path.dirname(__file__), '..', '..', 'data', 'builtin')
B17 = '0123456789abcdefg'

with gzip.open(os.path.join(src, 'digits.csv.gz'), 'rt') as f:
    rows = [list(map(float, r)) for r in csv.reader(f)]
assert len(rows) == 1797 and all(len(r) == 65 for r in rows)
with open(os.path.join(out, 'digits.txt'), 'w', newline='\n') as f:
    f.write('# UCI optical recognition of handwritten digits, 8x8 (Alpaydin & Kaynak 1998), CC BY 4.0; see README.md\n')
    f.write('# 1797 samples; per line: label, space, 64 pixels 0..16 as base-17 digits 0-9a-g, row-major\n')
    for r in rows:
        px = [int(v) for v in r[:64]]
        assert all(v == r[i] and 0 <= v <= 16 for i, v in enumerate(px))
        label = int(r[64])
        assert 0 <= label <= 9
        f.write(f"{label} {''.join(B17[v] for v in px)}\n")

with open(os.path.join(src, 'iris.csv')) as f:
    reader = csv.reader(f)
    head = next(reader)  # 150,4,setosa,versicolor,virginica
    names = head[2:]
    rows = list(reader)
assert len(rows) == 150
with open(os.path.join(out, 'iris.csv'), 'w', newline='\n') as f:
    f.write('sepal_length,sepal_width,petal_length,petal_width,species\n')
    for r in rows:
        f.write(','.join(r[:4] + [names[int(r[4])]]) + '\n')
