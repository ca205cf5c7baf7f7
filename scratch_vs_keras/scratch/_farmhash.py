"""TensorFlow's string and cross hashes, in pure Python and NumPy.

* :func:`fingerprint64`: FarmHash's ``Fingerprint64`` of a byte string (the ``farmhashna``
  family, Geoff Pike, Google, MIT licence), which TensorFlow uses for ``tf.fingerprint``,
  ``tf.strings.to_hash_bucket_fast`` and the string features of ``tf.sparse.cross_hashed``;
* :func:`fingerprint_cat64`: TensorFlow's ``FingerprintCat64``, which chains one feature's hash
  into a cross's running hash (``tf.sparse.cross_hashed``, Keras's ``HashedCrossing``).

Arithmetic is modulo :math:`2^{64}` (Python integers masked to 64 bits; NumPy ``uint64`` wraps).
"""

import numpy as np

_M64 = (1 << 64) - 1
K0, K1, K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F
CROSS_MUL = 0xC6A4A7935BD1E995  # FingerprintCat64's multiplier


def _fetch(s, i, n=8):
    return int.from_bytes(s[i:i + n], "little")


def _rotate(v, shift):
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _M64


def _shift_mix(v):
    return v ^ (v >> 47)


def _hash16(u, v, mul):
    a = ((u ^ v) * mul) & _M64
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M64
    b ^= b >> 47
    return (b * mul) & _M64


def _len0to16(s):
    n = len(s)
    if n >= 8:
        mul = K2 + n * 2
        a = (_fetch(s, 0) + K2) & _M64
        b = _fetch(s, n - 8)
        c = (_rotate(b, 37) * mul + a) & _M64
        d = ((_rotate(a, 25) + b) * mul) & _M64
        return _hash16(c, d, mul)
    if n >= 4:
        return _hash16(n + (_fetch(s, 0, 4) << 3), _fetch(s, n - 4, 4), K2 + n * 2)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_shift_mix(((y * K2) ^ (z * K0)) & _M64) * K2) & _M64
    return K2


def _len17to32(s):
    n = len(s)
    mul = K2 + n * 2
    a = (_fetch(s, 0) * K1) & _M64
    b = _fetch(s, 8)
    c = (_fetch(s, n - 8) * mul) & _M64
    d = (_fetch(s, n - 16) * K2) & _M64
    return _hash16((_rotate((a + b) & _M64, 43) + _rotate(c, 30) + d) & _M64,
                   (a + _rotate((b + K2) & _M64, 18) + c) & _M64, mul)


def _len33to64(s):
    n = len(s)
    mul = K2 + n * 2
    a = (_fetch(s, 0) * K2) & _M64
    b = _fetch(s, 8)
    c = (_fetch(s, n - 8) * mul) & _M64
    d = (_fetch(s, n - 16) * K2) & _M64
    y = (_rotate((a + b) & _M64, 43) + _rotate(c, 30) + d) & _M64
    z = _hash16(y, (a + _rotate((b + K2) & _M64, 18) + c) & _M64, mul)
    e = (_fetch(s, 16) * mul) & _M64
    f = _fetch(s, 24)
    g = ((y + _fetch(s, n - 32)) * mul) & _M64
    h = ((z + _fetch(s, n - 24)) * mul) & _M64
    return _hash16((_rotate((e + f) & _M64, 43) + _rotate(g, 30) + h) & _M64,
                   (e + _rotate((f + a) & _M64, 18) + g) & _M64, mul)


def _weak32(s, i, a, b):
    w, x, y, z = (_fetch(s, i + 8 * j) for j in range(4))
    a = (a + w) & _M64
    b = _rotate((b + a + z) & _M64, 21)
    c = a
    a = (a + x + y) & _M64
    b = (b + _rotate(a, 44)) & _M64
    return (a + z) & _M64, (b + c) & _M64


def _long(s):
    """Strings over 64 bytes: 64-byte blocks mixed into seven 64-bit lanes."""
    n = len(s)
    x, y = 81, (81 * K1 + 113) & _M64
    z = (_shift_mix((y * K2 + 113) & _M64) * K2) & _M64
    v, w = (0, 0), (0, 0)
    x = (x * K2 + _fetch(s, 0)) & _M64
    end = ((n - 1) // 64) * 64
    last = end + ((n - 1) & 63) - 63
    for i in range(0, end, 64):
        x = (_rotate((x + y + v[0] + _fetch(s, i + 8)) & _M64, 37) * K1) & _M64
        y = (_rotate((y + v[1] + _fetch(s, i + 48)) & _M64, 42) * K1) & _M64
        x ^= w[1]
        y = (y + v[0] + _fetch(s, i + 40)) & _M64
        z = (_rotate((z + w[0]) & _M64, 33) * K1) & _M64
        v = _weak32(s, i, (v[1] * K1) & _M64, (x + w[0]) & _M64)
        w = _weak32(s, i + 32, (z + w[1]) & _M64, (y + _fetch(s, i + 16)) & _M64)
        z, x = x, z
    mul = K1 + ((z & 0xFF) << 1)
    w = ((w[0] + ((n - 1) & 63)) & _M64, w[1])
    v = ((v[0] + w[0]) & _M64, v[1])
    w = ((w[0] + v[0]) & _M64, w[1])
    x = (_rotate((x + y + v[0] + _fetch(s, last + 8)) & _M64, 37) * mul) & _M64
    y = (_rotate((y + v[1] + _fetch(s, last + 48)) & _M64, 42) * mul) & _M64
    x ^= (w[1] * 9) & _M64
    y = (y + v[0] * 9 + _fetch(s, last + 40)) & _M64
    z = (_rotate((z + w[0]) & _M64, 33) * mul) & _M64
    v = _weak32(s, last, (v[1] * mul) & _M64, (x + w[0]) & _M64)
    w = _weak32(s, last + 32, (z + w[1]) & _M64, (y + _fetch(s, last + 16)) & _M64)
    z, x = x, z
    return _hash16((_hash16(v[0], w[0], mul) + _shift_mix(y) * K0 + z) & _M64,
                   (_hash16(v[1], w[1], mul) + x) & _M64, mul)


def fingerprint64(data):
    """FarmHash ``Fingerprint64`` of ``data`` (``str``: its UTF-8 bytes), a 64-bit integer."""
    s = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(s) <= 16:
        return _len0to16(s)
    if len(s) <= 32:
        return _len17to32(s)
    if len(s) <= 64:
        return _len33to64(s)
    return _long(s)


def fingerprint_cat64(fp1, fp2):
    r"""TensorFlow's ``FingerprintCat64``: the running hash ``fp1`` (``uint64`` array) with the
    feature hash ``fp2`` chained in; a few multiply-and-shift-mix steps, modulo :math:`2^{64}`."""
    mul, s = np.uint64(CROSS_MUL), np.uint64(47)
    fp1, fp2 = np.asarray(fp1, dtype=np.uint64), np.asarray(fp2, dtype=np.uint64)
    t = fp2 * mul
    r = (fp1 ^ mul) ^ ((t ^ (t >> s)) * mul)
    r = r * mul
    r = (r ^ (r >> s)) * mul
    return r ^ (r >> s)
