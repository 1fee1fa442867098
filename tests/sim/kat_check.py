#!/usr/bin/env python3
"""tests/sim/kat_check.py - holds sim/rng.c and sim/dist.c to an independent
re-implementation of their documented algorithms (TAP).

Runs kat-dump (tests/sim/kat_dump.c) and recomputes every line here, from
the algorithm as sim/rng.h, sim/rng.c's header and sim/dist.h state it:
the stream key is FNV-1a-64 of each name through the SplitMix64 finaliser,
combined with the seed; SplitMix64 fills the xoshiro256** state; uniforms
keep the top 53 bits; rng_below is Lemire's method; every sample is the
quantile of one uniform_pos draw (lognormal through the normal quantile,
here Python's statistics.NormalDist, AS 241 too). Integers must match
exactly; doubles bit for bit except the lognormal (relative 1e-13: two
evaluations of AS 241's rational functions may round differently).
Usage: kat_check.py KAT_DUMP"""
import math
import subprocess
import sys
from statistics import NormalDist

M = (1 << 64) - 1


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return z ^ (z >> 31)


def fnv1a(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001b3) & M
    return h


def rng_key(seed, comp, purpose):
    k = mix64((seed + 0x9e3779b97f4a7c15) & M)
    k = mix64(k ^ mix64(fnv1a(comp)))
    return mix64(k ^ mix64((fnv1a(purpose) + 0x632be59bd9b4e019) & M))


def rng_key_index(seed, cls, index, purpose):
    k = mix64((seed + 0x9e3779b97f4a7c15) & M)
    k = mix64(k ^ mix64(((cls << 48) ^ index ^ 0xd1b54a32d192ed03) & M))
    return mix64(k ^ mix64((fnv1a(purpose) + 0x632be59bd9b4e019) & M))


class Stream:
    def __init__(self, key):
        x, self.s = key, []
        for _ in range(4):
            x = (x + 0x9e3779b97f4a7c15) & M
            self.s.append(mix64(x))

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M
        r = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return r

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def uniform_pos(self):
        return ((self.next() >> 11) + 0.5) * 2.0 ** -53

    def below(self, n):
        m = self.next() * n
        low = m & M
        if low < n:
            t = ((1 << 64) - n) % n
            while low < t:
                m = self.next() * n
                low = m & M
        return m >> 64


def quantile(kind, a, b, p):
    if kind == "exponential":
        return -a * math.log1p(-p)
    if kind == "weibull":
        return b * math.pow(-math.log1p(-p), 1.0 / a)
    if kind == "lognormal":
        return math.exp(a + b * NormalDist().inv_cdf(p))
    if kind == "uniform":
        return a + p * (b - a)
    if kind == "constant":
        return a
    raise ValueError(kind)


def name(x):
    return "" if x == "-" else x


def main():
    out = subprocess.run([sys.argv[1]], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    results = []
    stream = None
    for line in out:
        f = line.split()
        tag = f[0]
        if tag == "key":
            seed, c, p = int(f[1]), name(f[2]), name(f[3])
            results.append((line, int(f[4]) == rng_key(seed, c, p)))
        elif tag == "draws":
            seed, c, p = int(f[1]), name(f[2]), name(f[3])
            stream = Stream(rng_key(seed, c, p))
            want = [stream.next() for _ in range(6)]
            results.append((line, [int(x) for x in f[4:]] == want))
        elif tag == "uniform":
            got = [float.fromhex(x) for x in f[1:]]
            want = []
            for _ in range(3):
                want += [stream.uniform(), stream.uniform_pos()]
            results.append((line, got == want))
        elif tag == "below":
            ok = True
            for pair in f[1:]:
                n, v = (int(x) for x in pair.split(":"))
                ok &= stream.below(n) == v
            results.append((line, ok))
        elif tag == "keyidx":
            seed, cls, idx, p = int(f[1]), int(f[2]), int(f[3]), f[4]
            results.append((line, int(f[5]) == rng_key_index(seed, cls, idx, p)))
        elif tag == "sample":
            kind, a, b = f[1], float.fromhex(f[2]), float.fromhex(f[3])
            s = Stream(rng_key(7, "node0001", kind))
            got = [float.fromhex(x) for x in f[4:]]
            want = [quantile(kind, a, b, s.uniform_pos()) for _ in got]
            tol = 1e-13 if kind == "lognormal" else 0.0
            results.append((line[:60], all(abs(g - w) <= tol * abs(w)
                                            for g, w in zip(got, want))))
        else:
            results.append((line, False))
    print("1..%d" % len(results))
    failed = 0
    for i, (desc, ok) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, desc[:100]))
        failed |= not ok
    if len(results) < 25:
        print("not ok %d - kat-dump printed only %d lines" % (len(results) + 1, len(results)))
        failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main())
