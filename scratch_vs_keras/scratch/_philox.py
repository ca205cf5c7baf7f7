r"""TensorFlow's stateless uniform and normal numbers on CPU, in NumPy: the Philox-4x32-10 counter-based
generator (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) keyed from a
two-integer seed the way TensorFlow's ``StatelessRandomGetKeyCounter`` keys it.

Keras draws its dropout masks from ``tf.random.stateless_uniform(shape, seed)``, so reproducing
this stream is what lets the NumPy ``Dropout`` drop the very units Keras drops (no mask is
passed between the sides); ``GaussianNoise`` draws ``tf.random.stateless_normal`` from the same
stream. Only the pieces these need are here: the key from the seed, the block function, the
uniform ``[0, 1)`` floats built from its 32-bit words, and TensorFlow's Box-Muller transform.
"""

import numpy as np

_MASK32 = np.uint64(0xFFFFFFFF)
_MUL = (np.uint64(0xD2511F53), np.uint64(0xCD9E8D57))   # the round multipliers
_BUMP = (np.uint64(0x9E3779B9), np.uint64(0xBB67AE85))  # the Weyl key increments
_SEED_KEY = (0x3EC8F720, 0x02461E29)  # TensorFlow's fixed key for scrambling a seed


def philox(counters, key):
    r"""Philox-4x32-10 of each counter: ``counters`` is ``(n, 4)`` words, ``key`` two words;
    returns ``(n, 4)`` words (as ``uint64`` holding 32-bit values).

    One round: :math:`(c_0, c_1, c_2, c_3) \to (\mathrm{hi}(M_1 c_2) \oplus c_1 \oplus k_0,\;
    \mathrm{lo}(M_1 c_2),\; \mathrm{hi}(M_0 c_0) \oplus c_3 \oplus k_1,\; \mathrm{lo}(M_0 c_0))`,
    then the key is bumped by the Weyl constants; ten rounds.
    """
    c = [np.asarray(counters[:, i], dtype=np.uint64) for i in range(4)]
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    for r in range(10):
        p0, p1 = _MUL[0] * c[0], _MUL[1] * c[2]  # 32 x 32 bits fit in 64
        c = [(p1 >> np.uint64(32)) ^ c[1] ^ k0, p1 & _MASK32,
             (p0 >> np.uint64(32)) ^ c[3] ^ k1, p0 & _MASK32]
        if r < 9:
            k0, k1 = (k0 + _BUMP[0]) & _MASK32, (k1 + _BUMP[1]) & _MASK32
    return np.stack(c, axis=1)


def key_and_counter(seed):
    """TensorFlow's key and starting counter for the int32 seed pair ``seed``: the seed's words
    are run once through Philox under a fixed key, and the result is split into key and counter."""
    words = []
    for s in seed:
        s = int(s) & 0xFFFFFFFFFFFFFFFF  # an int32 seed widens with its sign, as in C++
        words += [s & 0xFFFFFFFF, s >> 32]
    mix = philox(np.array([words], dtype=np.uint64), _SEED_KEY)[0]
    return (int(mix[0]), int(mix[1])), (0, 0, int(mix[2]), int(mix[3]))


def uniform(shape, seed, dtype="float64"):
    """``tf.random.stateless_uniform(shape, seed, dtype=dtype)`` on CPU, bit for bit.

    A float64 takes two 32-bit words (20 + 32 mantissa bits), a float32 one (23 bits): the bits
    fill the mantissa of a number in [1, 2), and 1 is subtracted. Block ``g`` of the output is
    Philox of the starting counter plus ``g``.
    """
    dtype = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    per_block = 2 if dtype == np.float64 else 4
    key, start = key_and_counter(seed)
    blocks = -(-n // per_block)
    g = np.arange(blocks, dtype=np.uint64)
    low = np.uint64(start[0]) + g  # start[0] is 0: no carry into the second word for any shape
    counters = np.stack([low & _MASK32, low >> np.uint64(32),
                         np.full(blocks, start[2], np.uint64), np.full(blocks, start[3], np.uint64)], 1)
    words = philox(counters, key)
    if dtype == np.float64:
        pairs = words.reshape(-1, 2)
        bits = (np.uint64(1023) << np.uint64(52)) | ((pairs[:, 0] & np.uint64(0xFFFFF)) << np.uint64(32)) | pairs[:, 1]
        values = bits.view(np.float64) - 1.0
    else:
        bits = ((np.uint64(127) << np.uint64(23)) | (words.reshape(-1) & np.uint64(0x7FFFFF))).astype(np.uint32)
        values = bits.view(np.float32) - np.float32(1.0)
    return values[:n].reshape(shape)


def _libm(fn, a):
    """``fn`` (a ``math`` function: the C library's, as TensorFlow's kernels call it) entry by
    entry, in float64; NumPy's own vectorized sin/cos/log differ from it in the last bit at times."""
    return np.frompyfunc(fn, 1, 1)(a).astype(np.float64)


def normal(shape, seed, dtype="float64"):
    r"""``tf.random.stateless_normal(shape, seed, dtype=dtype)`` on CPU (mean 0, standard
    deviation 1): bit for bit in float64, to a float32 rounding or so in float32.

    TensorFlow's Box-Muller transform on the uniform numbers of the same Philox stream (the
    blocks :func:`uniform` draws): each pair :math:`(u, v)` of them gives
    :math:`z_0 = \sin(2\pi v)\,\rho` and :math:`z_1 = \cos(2\pi v)\,\rho` with
    :math:`\rho = \sqrt{-2\ln\max(u, 10^{-7})}`.
    """
    import math

    dtype = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    per_block = 2 if dtype == np.float64 else 4
    u, v = uniform((-(-n // per_block) * per_block,), seed, dtype).reshape(-1, 2).T
    u = np.maximum(u, dtype.type(1e-7))
    if dtype == np.float64:
        angle = 2 * np.pi * v
        rho = np.sqrt(-2.0 * _libm(math.log, u))
        z = np.stack([_libm(math.sin, angle) * rho, _libm(math.cos, angle) * rho], axis=1)
    else:  # float32 kernels: 2*pi*v in double rounded to float, logf, sincosf
        angle = (2 * np.pi * v.astype(np.float64)).astype(np.float32)
        rho = np.sqrt(np.float32(-2.0) * np.log(u.astype(np.float64)).astype(np.float32))
        z = np.stack([np.sin(angle.astype(np.float64)).astype(np.float32) * rho,
                      np.cos(angle.astype(np.float64)).astype(np.float32) * rho], axis=1)
    return z.reshape(-1)[:n].reshape(shape)
