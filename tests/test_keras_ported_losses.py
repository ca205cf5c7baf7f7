"""Keras 3.15.1's own numeric loss tests, run against the NumPy side.

Each case carries the Keras file and test name it comes from (``losses_test.py::Class::test``;
several checks in one Keras test get a suffix) and Keras's expected numbers and tolerance:
``assertAlmostEqual(x, y, decimal)`` is ``|x - y| < 1.5 * 10**-decimal`` (decimal 3 unless given),
``assertAllClose`` is ``atol = rtol = 1e-6`` unless given. The Keras tests that are not here are
listed, with the reason, in docs/keras_tests.md.
"""

import numpy as np
import pytest

from scratch_vs_keras import scratch

L = scratch.losses
F32 = np.float32

# the data most Keras regression tests share
YT = np.array([[1, 9, 2], [-5, -2, 6]])
YP = np.array([[4, 8, 12], [8, 1, 3]], dtype=F32)
YT3, YP3 = YT.reshape(2, 3, 1), YP.reshape(2, 3, 1)
TIMESTEP_W = np.array([3, 6, 5, 0, 4, 2]).reshape(2, 3)
ROW_W = np.array([[1.2], [3.4]])
# cross-entropy data
ONEHOT3 = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
PROBS3 = np.array([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]])
LOGITS3 = np.array([[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]])
BIN_T, BIN_P = np.array([1, 0, 1, 0]).reshape(2, 2), np.array([1, 1, 1, 0], dtype=F32).reshape(2, 2)
BL_T, BL_Z = np.array([[1, 0, 1], [0, 1, 1]]), np.array([[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]])
HINGE_T, HINGE_P = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]])
FOCAL_T, FOCAL_P = np.array([1, 0, 1, 0]).reshape(2, 2), np.array([0.9, 0.8, 0.7, 0.2], dtype=F32).reshape(2, 2)
FOCAL_LT = np.array([[1, 1, 0], [0, 1, 0]], dtype=F32)
FOCAL_LZ = np.array([[1.5, -2.7, 2.9], [-3.8, 1.2, -4.5]])


def _l2_normalized(x, axis):
    return x / np.sqrt(np.maximum(np.sum(np.square(x), axis=axis, keepdims=True), 1e-12))


def _cosine(yt, yp, axis):
    return np.sum(_l2_normalized(yt.astype(F32), axis) * _l2_normalized(yp.astype(F32), axis), axis=axis)


def _huber(yt, yp, delta=1.0):
    a = np.abs(yp - yt)
    q = np.minimum(a, delta)
    return 0.5 * q * q + delta * (a - q)


HUBER_P, HUBER_T = np.array([[0.9, 0.2, 0.2], [0.8, 0.4, 0.6]]), np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
KLD_P = np.asarray([0.4, 0.9, 0.12, 0.36, 0.3, 0.4], dtype=F32).reshape(2, 3)
KLD_T = np.asarray([0.5, 0.8, 0.12, 0.7, 0.43, 0.8], dtype=F32).reshape(2, 3)
POIS_P = np.asarray([1, 9, 2, 5, 2, 6], dtype=F32).reshape(2, 3)
POIS_T = np.asarray([4, 8, 12, 8, 1, 3], dtype=F32).reshape(2, 3)
LOGCOSH_E = (YP - YT).astype(F32)
LOGCOSH = np.log((np.exp(LOGCOSH_E) + np.exp(-LOGCOSH_E)) / 2)
SEG_T2 = np.array([[0, 1, 1, 0], [1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 1]])
SEG_P2 = np.eye(2)[SEG_T2]
SEG_P2_OFF = SEG_P2.copy()
SEG_P2_OFF[0, 3], SEG_P2_OFF[3, 3] = [0.2, 0.8], [0.6, 0.4]
SEG_T3 = np.array([[0, 1, 2, 0], [1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 1]])
SEG_P3 = np.eye(3)[SEG_T3]
SEG_P3_OFF = SEG_P3.copy()
SEG_P3_OFF[0, 3], SEG_P3_OFF[1, 0], SEG_P3_OFF[3, 2] = [0.2, 0.0, 0.8], [0.7, 0.3, 0.0], [0.5, 0.5, 0.0]


def c(source, loss, y_true, y_pred, expected, sample_weight=None, decimal=None, atol=1e-6, rtol=1e-6):
    """One ported check: ``loss(y_true, y_pred, sample_weight)`` against Keras's number."""
    return pytest.param(loss, y_true, y_pred, sample_weight, expected, decimal, atol, rtol, id=source)


M = "losses_test.py::"
CASES = [
    # -- MeanSquaredErrorTest --------------------------------------------------------------
    c(M + "MeanSquaredErrorTest::test_all_correct_unweighted", L.MeanSquaredError(),
      np.array([[4, 8, 12], [8, 1, 3]]), np.array([[4, 8, 12], [8, 1, 3]], dtype=F32), 0.0,
      decimal=3),
    c(M + "MeanSquaredErrorTest::test_unweighted", L.MeanSquaredError(), YT, YP, 49.5, decimal=3),
    c(M + "MeanSquaredErrorTest::test_scalar_weighted", L.MeanSquaredError(), YT, YP, 113.85, 2.3,
      decimal=3),
    c(M + "MeanSquaredErrorTest::test_sample_weighted", L.MeanSquaredError(), YT, YP, 767.8 / 6,
      ROW_W, decimal=3),
    c(M + "MeanSquaredErrorTest::test_timestep_weighted", L.MeanSquaredError(), YT3, YP3,
      97.833336, TIMESTEP_W, decimal=3),
    c(M + "MeanSquaredErrorTest::test_zero_weighted", L.MeanSquaredError(), YT, YP, 0.0, 0,
      decimal=3),
    c(M + "MeanSquaredErrorTest::test_no_reduction", L.MeanSquaredError(reduction=None), YT, YP,
      [84.3333, 143.3666], 2.3, decimal=3),
    c(M + "MeanSquaredErrorTest::test_sum_reduction", L.MeanSquaredError(reduction="sum"), YT, YP,
      227.69998, 2.3, decimal=3),
    c(M + "MeanSquaredErrorTest::test_mean_with_sample_weight_reduction",
      L.MeanSquaredError(reduction="mean_with_sample_weight"), YT, YP,
      (110 / 3 * 1.2 + 187 / 3 * 3.4) / (1.2 + 3.4), ROW_W, decimal=3),
    # -- MeanAbsoluteErrorTest -------------------------------------------------------------
    c(M + "MeanAbsoluteErrorTest::test_all_correct_unweighted", L.MeanAbsoluteError(),
      np.array([[4, 8, 12], [8, 1, 3]]), np.array([[4, 8, 12], [8, 1, 3]]), 0.0, decimal=3),
    c(M + "MeanAbsoluteErrorTest::test_unweighted", L.MeanAbsoluteError(), YT, YP, 5.5, decimal=3),
    c(M + "MeanAbsoluteErrorTest::test_scalar_weighted", L.MeanAbsoluteError(), YT, YP, 12.65,
      2.3, decimal=3),
    c(M + "MeanAbsoluteErrorTest::test_sample_weighted", L.MeanAbsoluteError(), YT, YP, 81.4 / 6,
      ROW_W, decimal=3),
    c(M + "MeanAbsoluteErrorTest::test_timestep_weighted", L.MeanAbsoluteError(), YT3, YP3,
      13.833333, TIMESTEP_W, decimal=3),
    c(M + "MeanAbsoluteErrorTest::test_zero_weighted", L.MeanAbsoluteError(), YT, YP, 0.0, 0,
      decimal=3),
    c(M + "MeanAbsoluteErrorTest::test_no_reduction", L.MeanAbsoluteError(reduction=None), YT, YP,
      [10.7333, 14.5666], 2.3, decimal=3),
    c(M + "MeanAbsoluteErrorTest::test_sum_reduction", L.MeanAbsoluteError(reduction="sum"), YT,
      YP, 25.29999, 2.3, decimal=3),
    c(M + "MeanAbsoluteErrorTest::test_mean_with_sample_weight_reduction",
      L.MeanAbsoluteError(reduction="mean_with_sample_weight"), YT, YP,
      (14 / 3 * 1.2 + 19 / 3 * 3.4) / (1.2 + 3.4), ROW_W, decimal=3),
    # -- MeanAbsolutePercentageErrorTest ---------------------------------------------------
    c(M + "MeanAbsolutePercentageErrorTest::test_all_correct_unweighted",
      L.MeanAbsolutePercentageError(), np.array([[4, 8, 12], [8, 1, 3]]),
      np.array([[4, 8, 12], [8, 1, 3]]), 0.0, decimal=3),
    c(M + "MeanAbsolutePercentageErrorTest::test_unweighted", L.MeanAbsolutePercentageError(), YT,
      YP, 211.8518, decimal=3),
    c(M + "MeanAbsolutePercentageErrorTest::test_scalar_weighted",
      L.MeanAbsolutePercentageError(), YT, YP, 487.259, 2.3, decimal=3),
    c(M + "MeanAbsolutePercentageErrorTest::test_sample_weighted",
      L.MeanAbsolutePercentageError(), YT, YP, 422.8888, ROW_W, decimal=3),
    c(M + "MeanAbsolutePercentageErrorTest::test_timestep_weighted",
      L.MeanAbsolutePercentageError(), YT3, YP3, 694.4444, TIMESTEP_W, decimal=3),
    c(M + "MeanAbsolutePercentageErrorTest::test_zero_weighted", L.MeanAbsolutePercentageError(),
      YT, YP, 0.0, 0, decimal=3),
    c(M + "MeanAbsolutePercentageErrorTest::test_no_reduction",
      L.MeanAbsolutePercentageError(reduction=None), YT, YP, [621.8518, 352.6666], 2.3,
      decimal=3),
    c(M + "MeanAbsolutePercentageErrorTest::test_mean_with_sample_weight_reduction",
      L.MeanAbsolutePercentageError(reduction="mean_with_sample_weight"), YT, YP, 183.865, ROW_W,
      decimal=3),
    # -- MeanSquaredLogarithmicErrorTest ---------------------------------------------------
    c(M + "MeanSquaredLogarithmicErrorTest::test_unweighted", L.MeanSquaredLogarithmicError(), YT,
      YP, 1.4370, decimal=3),
    c(M + "MeanSquaredLogarithmicErrorTest::test_scalar_weighted",
      L.MeanSquaredLogarithmicError(), YT, YP, 3.3051, 2.3, decimal=3),
    c(M + "MeanSquaredLogarithmicErrorTest::test_sample_weighted",
      L.MeanSquaredLogarithmicError(), YT, YP, 3.7856, ROW_W, decimal=3),
    c(M + "MeanSquaredLogarithmicErrorTest::test_timestep_weighted",
      L.MeanSquaredLogarithmicError(), YT3, YP3, 2.647374, TIMESTEP_W, decimal=3),
    c(M + "MeanSquaredLogarithmicErrorTest::test_zero_weighted", L.MeanSquaredLogarithmicError(),
      YT, YP, 0.0, 0, decimal=3),
    c(M + "MeanSquaredLogarithmicErrorTest::test_mean_with_sample_weight_reduction",
      L.MeanSquaredLogarithmicError(reduction="mean_with_sample_weight"), YT, YP, 1.646, ROW_W,
      decimal=3),
    # -- HingeTest, SquaredHingeTest, CategoricalHingeTest ---------------------------------
    c(M + "HingeTest::test_unweighted[sum_over_batch_size]", L.Hinge(), HINGE_T, HINGE_P, 1.3,
      decimal=3),
    c(M + "HingeTest::test_unweighted[sum]", L.Hinge(reduction="sum"), HINGE_T, HINGE_P, 2.6,
      decimal=3),
    c(M + "HingeTest::test_unweighted[None]", L.Hinge(reduction=None), HINGE_T, HINGE_P,
      [1.1, 1.5]),
    c(M + "HingeTest::test_weighted[sum_over_batch_size]", L.Hinge(), HINGE_T, HINGE_P, 0.55,
      [1, 0], decimal=3),
    c(M + "HingeTest::test_weighted[sum]", L.Hinge(reduction="sum"), HINGE_T, HINGE_P, 1.1,
      [1, 0], decimal=3),
    c(M + "HingeTest::test_weighted[None]", L.Hinge(reduction=None), HINGE_T, HINGE_P, [1.1, 0.0],
      [1, 0], decimal=3),
    c(M + "HingeTest::test_zero_weighted", L.Hinge(), HINGE_T, HINGE_P, 0.0, 0.0, atol=0, rtol=0),
    c(M + "SquaredHingeTest::test_unweighted[sum_over_batch_size]", L.SquaredHinge(), HINGE_T,
      HINGE_P, 1.86, decimal=3),
    c(M + "SquaredHingeTest::test_unweighted[sum]", L.SquaredHinge(reduction="sum"), HINGE_T,
      HINGE_P, 3.72, decimal=3),
    c(M + "SquaredHingeTest::test_unweighted[None]", L.SquaredHinge(reduction=None), HINGE_T,
      HINGE_P, [1.46, 2.26]),
    c(M + "SquaredHingeTest::test_weighted[sum_over_batch_size]", L.SquaredHinge(), HINGE_T,
      HINGE_P, 0.73, [1, 0], decimal=3),
    c(M + "SquaredHingeTest::test_weighted[sum]", L.SquaredHinge(reduction="sum"), HINGE_T,
      HINGE_P, 1.46, [1, 0], decimal=3),
    c(M + "SquaredHingeTest::test_weighted[None]", L.SquaredHinge(reduction=None), HINGE_T,
      HINGE_P, [1.46, 0.0], [1, 0], decimal=3),
    c(M + "SquaredHingeTest::test_zero_weighted", L.SquaredHinge(), HINGE_T, HINGE_P, 0.0, 0.0,
      atol=0, rtol=0),
    c(M + "CategoricalHingeTest::test_unweighted[sum_over_batch_size]", L.CategoricalHinge(),
      HINGE_T, HINGE_P, 1.4, decimal=3),
    c(M + "CategoricalHingeTest::test_unweighted[sum]", L.CategoricalHinge(reduction="sum"),
      HINGE_T, HINGE_P, 2.8, decimal=3),
    c(M + "CategoricalHingeTest::test_unweighted[None]", L.CategoricalHinge(reduction=None),
      HINGE_T, HINGE_P, [1.2, 1.6]),
    c(M + "CategoricalHingeTest::test_weighted[sum_over_batch_size]", L.CategoricalHinge(),
      HINGE_T, HINGE_P, 0.6, [1, 0], decimal=3),
    c(M + "CategoricalHingeTest::test_weighted[sum]", L.CategoricalHinge(reduction="sum"),
      HINGE_T, HINGE_P, 1.2, [1, 0], decimal=3),
    c(M + "CategoricalHingeTest::test_weighted[None]", L.CategoricalHinge(reduction=None),
      HINGE_T, HINGE_P, [1.2, 0.0], [1, 0], decimal=3),
    c(M + "CategoricalHingeTest::test_zero_weighted", L.CategoricalHinge(), HINGE_T, HINGE_P, 0.0,
      0.0, atol=0, rtol=0),
    # -- CosineSimilarityTest --------------------------------------------------------------
    c(M + "CosineSimilarityTest::test_unweighted", L.CosineSimilarity(), YT.astype(F32), YP,
      -np.mean(_cosine(YT, YP, 1)), decimal=3),
    c(M + "CosineSimilarityTest::test_scalar_weighted", L.CosineSimilarity(), YT.astype(F32), YP,
      -np.mean(_cosine(YT, YP, 1) * 2.3), 2.3, decimal=3),
    c(M + "CosineSimilarityTest::test_sample_weighted", L.CosineSimilarity(), YT.astype(F32), YP,
      -np.mean(_cosine(YT, YP, 1) * [1.2, 3.4]), np.asarray([1.2, 3.4]), decimal=3),
    c(M + "CosineSimilarityTest::test_timestep_weighted", L.CosineSimilarity(), YT3.astype(F32),
      YP3, -np.mean(_cosine(YT3, YP3, 2) * TIMESTEP_W), TIMESTEP_W, decimal=3),
    c(M + "CosineSimilarityTest::test_zero_weighted", L.CosineSimilarity(), YT.astype(F32), YP,
      0.0, 0, decimal=3),
    c(M + "CosineSimilarityTest::test_axis", L.CosineSimilarity(axis=1), YT.astype(F32), YP,
      -np.mean(_cosine(YT, YP, 1)), decimal=3),
    # -- HuberLossTest ---------------------------------------------------------------------
    c(M + "HuberLossTest::test_all_correct", L.Huber(), HUBER_T, HUBER_T, 0.0, decimal=3),
    c(M + "HuberLossTest::test_unweighted", L.Huber(), HUBER_T, HUBER_P,
      np.sum(_huber(HUBER_T, HUBER_P)) / 6, decimal=3),
    c(M + "HuberLossTest::test_scalar_weighted", L.Huber(), HUBER_T, HUBER_P,
      2.3 * np.sum(_huber(HUBER_T, HUBER_P)) / 6, 2.3, decimal=3),
    c(M + "HuberLossTest::test_sample_weighted", L.Huber(), HUBER_T, HUBER_P,
      np.sum(_huber(HUBER_T, HUBER_P) * [[1.2] * 3, [3.4] * 3]) / 6, ROW_W, decimal=3),
    c(M + "HuberLossTest::test_timestep_weighted", L.Huber(), HUBER_T.reshape(2, 3, 1),
      HUBER_P.reshape(2, 3, 1), np.sum(_huber(HUBER_T, HUBER_P) * TIMESTEP_W) / 6,
      TIMESTEP_W.reshape(2, 3, 1), decimal=3),
    c(M + "HuberLossTest::test_zero_weighted", L.Huber(), HUBER_T, HUBER_P, 0.0, 0, decimal=3),
    c(M + "HuberLossTest::test_non_default_delta", L.Huber(delta=0.8), HUBER_T, HUBER_P,
      2.3 * np.sum(_huber(HUBER_T, HUBER_P, 0.8)) / 6, 2.3, decimal=3),
    # -- LogCoshTest -----------------------------------------------------------------------
    c(M + "LogCoshTest::test_unweighted", L.LogCosh(), YT.astype(F32), YP, np.sum(LOGCOSH) / 6,
      decimal=3),
    c(M + "LogCoshTest::test_scalar_weighted", L.LogCosh(), YT.astype(F32), YP,
      2.3 * np.sum(LOGCOSH) / 6, 2.3, decimal=3),
    c(M + "LogCoshTest::test_sample_weighted", L.LogCosh(), YT.astype(F32), YP,
      np.sum(LOGCOSH * [[1.2] * 3, [3.4] * 3]) / 6, np.asarray([1.2, 3.4]), decimal=3),
    c(M + "LogCoshTest::test_timestep_weighted", L.LogCosh(), YT3, YP3,
      np.sum(LOGCOSH * TIMESTEP_W) / 6, TIMESTEP_W.reshape(2, 3, 1), decimal=3),
    c(M + "LogCoshTest::test_zero_weighted", L.LogCosh(), YT.astype(F32), YP, 0.0, 0, decimal=3),
    # -- KLDivergenceTest ------------------------------------------------------------------
    c(M + "KLDivergenceTest::test_unweighted", L.KLDivergence(), KLD_T, KLD_P,
      np.sum(KLD_T * np.log(KLD_T / KLD_P)) / 2, decimal=3),
    c(M + "KLDivergenceTest::test_scalar_weighted", L.KLDivergence(), KLD_T, KLD_P,
      2.3 * np.sum(KLD_T * np.log(KLD_T / KLD_P)) / 2, 2.3, decimal=3),
    c(M + "KLDivergenceTest::test_sample_weighted", L.KLDivergence(), KLD_T, KLD_P,
      np.sum(KLD_T * np.log(KLD_T / KLD_P) * np.asarray([[1.2] * 3, [3.4] * 3], dtype=F32)) / 2,
      np.asarray([1.2, 3.4], dtype=F32).reshape(2, 1), decimal=3),
    c(M + "KLDivergenceTest::test_timestep_weighted", L.KLDivergence(), KLD_T.reshape(2, 3, 1),
      KLD_P.reshape(2, 3, 1), np.sum((KLD_T * np.log(KLD_T / KLD_P)) * TIMESTEP_W) / 6,
      TIMESTEP_W, decimal=3),
    c(M + "KLDivergenceTest::test_zero_weighted", L.KLDivergence(), KLD_T, KLD_P, 0.0, 0,
      decimal=3),
    # -- PoissonTest -----------------------------------------------------------------------
    c(M + "PoissonTest::test_unweighted", L.Poisson(), POIS_T, POIS_P,
      np.sum(POIS_P - POIS_T * np.log(POIS_P)) / 6, decimal=3),
    c(M + "PoissonTest::test_scalar_weighted", L.Poisson(), POIS_T, POIS_P,
      2.3 * np.sum(POIS_P - POIS_T * np.log(POIS_P)) / 6, 2.3, decimal=3),
    c(M + "PoissonTest::test_sample_weighted", L.Poisson(), POIS_T, POIS_P,
      np.sum((POIS_P - POIS_T * np.log(POIS_P)) * [[1.2] * 3, [3.4] * 3]) / 6, ROW_W, decimal=3),
    c(M + "PoissonTest::test_timestep_weighted", L.Poisson(), POIS_T.reshape(2, 3, 1),
      POIS_P.reshape(2, 3, 1), np.sum((POIS_P - POIS_T * np.log(POIS_P)) * TIMESTEP_W) / 6,
      TIMESTEP_W, decimal=3),
    c(M + "PoissonTest::test_zero_weighted", L.Poisson(), POIS_T, POIS_P, 0.0, 0, decimal=3),
    # -- BinaryCrossentropyTest ------------------------------------------------------------
    c(M + "BinaryCrossentropyTest::test_all_correct_unweighted", L.BinaryCrossentropy(),
      ONEHOT3.astype(F32), ONEHOT3.astype(F32), 0.0, decimal=3),
    c(M + "BinaryCrossentropyTest::test_all_correct_unweighted[logits]",
      L.BinaryCrossentropy(from_logits=True), ONEHOT3.astype(F32), 20.0 * ONEHOT3 - 10.0, 0.0,
      decimal=3),
    c(M + "BinaryCrossentropyTest::test_unweighted[1]", L.BinaryCrossentropy(),
      ONEHOT3.astype(F32),
      np.array([[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]], dtype=F32), 0.20046903),
    c(M + "BinaryCrossentropyTest::test_unweighted[2]", L.BinaryCrossentropy(), BIN_T, BIN_P,
      3.98559, decimal=3),
    c(M + "BinaryCrossentropyTest::test_unweighted[logits]",
      L.BinaryCrossentropy(from_logits=True), BL_T, BL_Z, 3.3333, decimal=3),
    c(M + "BinaryCrossentropyTest::test_scalar_weighted", L.BinaryCrossentropy(), BIN_T, BIN_P,
      9.1668, 2.3, decimal=3),
    c(M + "BinaryCrossentropyTest::test_scalar_weighted[logits]",
      L.BinaryCrossentropy(from_logits=True), BL_T, BL_Z, 7.666, 2.3, decimal=3),
    c(M + "BinaryCrossentropyTest::test_sample_weighted", L.BinaryCrossentropy(), BIN_T, BIN_P,
      4.7827, ROW_W, decimal=3),
    c(M + "BinaryCrossentropyTest::test_sample_weighted[logits]",
      L.BinaryCrossentropy(from_logits=True), BL_T, BL_Z, 10.0, np.array([4, 3]), decimal=3),
    c(M + "BinaryCrossentropyTest::test_no_reduction",
      L.BinaryCrossentropy(from_logits=True, reduction=None), BL_T, BL_Z, [0.0, 6.666],
      atol=1e-3),
    c(M + "BinaryCrossentropyTest::test_label_smoothing",
      L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), np.array([[1, 0, 1]]),
      np.array([[10.0, -10.0, -10.0]]), (10.0 + 5.0 * 0.1) / 3.0, decimal=3),
    # -- CategoricalCrossentropyTest -------------------------------------------------------
    c(M + "CategoricalCrossentropyTest::test_all_correct_unweighted", L.CategoricalCrossentropy(),
      ONEHOT3, np.eye(3, dtype=F32), 0.0, decimal=3),
    c(M + "CategoricalCrossentropyTest::test_all_correct_unweighted[logits]",
      L.CategoricalCrossentropy(from_logits=True), ONEHOT3, 10.0 * ONEHOT3, 0.0, decimal=3),
    c(M + "CategoricalCrossentropyTest::test_unweighted", L.CategoricalCrossentropy(), ONEHOT3,
      PROBS3, 0.3239, decimal=3),
    c(M + "CategoricalCrossentropyTest::test_unweighted[logits]",
      L.CategoricalCrossentropy(from_logits=True), ONEHOT3, LOGITS3, 0.0573, decimal=3),
    c(M + "CategoricalCrossentropyTest::test_scalar_weighted", L.CategoricalCrossentropy(),
      ONEHOT3, PROBS3, 0.7449, 2.3, decimal=3),
    c(M + "CategoricalCrossentropyTest::test_scalar_weighted[logits]",
      L.CategoricalCrossentropy(from_logits=True), ONEHOT3, LOGITS3, 0.1317, 2.3, decimal=3),
    c(M + "CategoricalCrossentropyTest::test_sample_weighted", L.CategoricalCrossentropy(),
      ONEHOT3, PROBS3, 1.0696, np.array([[1.2], [3.4], [5.6]]), decimal=3),
    c(M + "CategoricalCrossentropyTest::test_sample_weighted[logits]",
      L.CategoricalCrossentropy(from_logits=True), ONEHOT3, LOGITS3, 0.31829,
      np.array([[1.2], [3.4], [5.6]]), decimal=3),
    c(M + "CategoricalCrossentropyTest::test_no_reduction",
      L.CategoricalCrossentropy(from_logits=True, reduction=None), ONEHOT3, LOGITS3,
      [0.001822, 0.000459, 0.169846]),
    c(M + "CategoricalCrossentropyTest::test_label_smoothing",
      L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), np.array([[1, 0, 0]]),
      np.array([[100.0, -100.0, -100.0]]), 400.0 * 0.1 / 3.0, decimal=3),
    c(M + "CategoricalCrossentropyTest::test_label_smoothing_ndarray",
      L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), np.asarray([[1, 0, 0]]),
      np.asarray([[100.0, -100.0, -100.0]]), 400.0 * 0.1 / 3.0, decimal=3),
    # -- SparseCategoricalCrossentropyTest -------------------------------------------------
    c(M + "SparseCategoricalCrossentropyTest::test_all_correct_unweighted",
      L.SparseCategoricalCrossentropy(), np.array([[0], [1], [2]]), np.eye(3, dtype=F32), 0.0,
      decimal=3),
    c(M + "SparseCategoricalCrossentropyTest::test_all_correct_unweighted[logits]",
      L.SparseCategoricalCrossentropy(from_logits=True), np.array([[0], [1], [2]]),
      10.0 * ONEHOT3, 0.0, decimal=3),
    c(M + "SparseCategoricalCrossentropyTest::test_unweighted", L.SparseCategoricalCrossentropy(),
      np.array([0, 1, 2]), PROBS3.astype(F32), 0.3239, decimal=3),
    c(M + "SparseCategoricalCrossentropyTest::test_unweighted[logits]",
      L.SparseCategoricalCrossentropy(from_logits=True), np.array([0, 1, 2]), LOGITS3, 0.0573,
      decimal=3),
    c(M + "SparseCategoricalCrossentropyTest::test_scalar_weighted",
      L.SparseCategoricalCrossentropy(), np.array([[0], [1], [2]]), PROBS3.astype(F32), 0.7449,
      2.3, decimal=3),
    c(M + "SparseCategoricalCrossentropyTest::test_scalar_weighted[logits]",
      L.SparseCategoricalCrossentropy(from_logits=True), np.array([[0], [1], [2]]), LOGITS3,
      0.1317, 2.3, decimal=3),
    c(M + "SparseCategoricalCrossentropyTest::test_sample_weighted",
      L.SparseCategoricalCrossentropy(), np.array([[0], [1], [2]]), PROBS3.astype(F32), 1.0696,
      np.array([[1.2], [3.4], [5.6]]), decimal=3),
    c(M + "SparseCategoricalCrossentropyTest::test_sample_weighted[logits]",
      L.SparseCategoricalCrossentropy(from_logits=True), np.array([[0], [1], [2]]), LOGITS3,
      0.31829, np.array([[1.2], [3.4], [5.6]]), decimal=3),
    c(M + "SparseCategoricalCrossentropyTest::test_no_reduction",
      L.SparseCategoricalCrossentropy(from_logits=True, reduction=None),
      np.array([[0], [1], [2]]), LOGITS3, [0.001822, 0.000459, 0.169846]),
    c(M + "SparseCategoricalCrossentropyTest::test_ignore_class[1]",
      L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1, reduction=None),
      np.array([[-1, 2]]), np.array([[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]]),
      [[0.0, 1.480129]]),
    c(M + "SparseCategoricalCrossentropyTest::test_ignore_class[2]",
      L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1, reduction=None),
      np.array([[[-1], [2]]]), np.array([[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]]),
      [[0.0, 1.480129]]),
    c(M + "SparseCategoricalCrossentropyTest::test_binary_segmentation[1]",
      L.SparseCategoricalCrossentropy(), SEG_T2, SEG_P2, 0.0),
    c(M + "SparseCategoricalCrossentropyTest::test_binary_segmentation[2]",
      L.SparseCategoricalCrossentropy(), SEG_T2, SEG_P2_OFF, (-np.log(0.2) - np.log(0.4)) / 16.0),
    c(M + "SparseCategoricalCrossentropyTest::test_multi_class_segmentation[1]",
      L.SparseCategoricalCrossentropy(), SEG_T3, SEG_P3, 0.0),
    c(M + "SparseCategoricalCrossentropyTest::test_multi_class_segmentation[2]",
      L.SparseCategoricalCrossentropy(), SEG_T3, SEG_P3_OFF,
      (-np.log(0.2) - np.log(0.3) - np.log(0.5)) / 16.0),
    # -- BinaryFocalCrossentropyTest -------------------------------------------------------
    c(M + "BinaryFocalCrossentropyTest::test_all_correct_unweighted",
      L.BinaryFocalCrossentropy(gamma=1.5), ONEHOT3.astype(F32), ONEHOT3.astype(F32), 0.0,
      decimal=3),
    c(M + "BinaryFocalCrossentropyTest::test_all_correct_unweighted[logits]",
      L.BinaryFocalCrossentropy(gamma=2.0, from_logits=True), ONEHOT3.astype(F32),
      200.0 * ONEHOT3 - 100.0, 0.0, decimal=3),
    c(M + "BinaryFocalCrossentropyTest::test_unweighted", L.BinaryFocalCrossentropy(gamma=2.0),
      FOCAL_T, FOCAL_P, 0.268, decimal=3),
    c(M + "BinaryFocalCrossentropyTest::test_unweighted[logits]",
      L.BinaryFocalCrossentropy(gamma=3.0, from_logits=True), FOCAL_LT, FOCAL_LZ, 0.799,
      decimal=3),
    c(M + "BinaryFocalCrossentropyTest::test_scalar_weighted",
      L.BinaryFocalCrossentropy(gamma=2.0), FOCAL_T, FOCAL_P, 0.3296, 1.23, decimal=3),
    c(M + "BinaryFocalCrossentropyTest::test_scalar_weighted[logits]",
      L.BinaryFocalCrossentropy(gamma=3.0, from_logits=True), FOCAL_LT, FOCAL_LZ, 2.565, 3.21,
      decimal=3),
    c(M + "BinaryFocalCrossentropyTest::test_sample_weighted",
      L.BinaryFocalCrossentropy(gamma=2.0), FOCAL_T, FOCAL_P, 0.34415, ROW_W, decimal=3),
    c(M + "BinaryFocalCrossentropyTest::test_sample_weighted[logits]",
      L.BinaryFocalCrossentropy(gamma=3.0, from_logits=True), FOCAL_LT, FOCAL_LZ, 0.95977, ROW_W,
      decimal=3),
    c(M + "BinaryFocalCrossentropyTest::test_no_reduction",
      L.BinaryFocalCrossentropy(gamma=2.0, reduction=None), FOCAL_T, FOCAL_P,
      [0.515547, 0.020513]),
    # -- CategoricalFocalCrossentropyTest --------------------------------------------------
    c(M + "CategoricalFocalCrossentropyTest::test_all_correct_unweighted",
      L.CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0), ONEHOT3, np.eye(3, dtype=F32), 0.0,
      decimal=3),
    c(M + "CategoricalFocalCrossentropyTest::test_all_correct_unweighted[logits]",
      L.CategoricalFocalCrossentropy(from_logits=True), ONEHOT3, 10.0 * ONEHOT3, 0.0, decimal=3),
    c(M + "CategoricalFocalCrossentropyTest::test_unweighted", L.CategoricalFocalCrossentropy(),
      ONEHOT3, PROBS3.astype(F32), 0.02059, decimal=3),
    c(M + "CategoricalFocalCrossentropyTest::test_unweighted[logits]",
      L.CategoricalFocalCrossentropy(from_logits=True), ONEHOT3, LOGITS3, 0.000345, decimal=3),
    c(M + "CategoricalFocalCrossentropyTest::test_scalar_weighted",
      L.CategoricalFocalCrossentropy(), ONEHOT3, PROBS3.astype(F32), 0.047368, 2.3, decimal=3),
    c(M + "CategoricalFocalCrossentropyTest::test_scalar_weighted[logits]",
      L.CategoricalFocalCrossentropy(from_logits=True), ONEHOT3, LOGITS3, 0.000794, 2.3,
      decimal=4),
    c(M + "CategoricalFocalCrossentropyTest::test_sample_weighted",
      L.CategoricalFocalCrossentropy(), ONEHOT3, PROBS3.astype(F32), 0.06987,
      np.array([[1.2], [3.4], [5.6]]), decimal=3),
    c(M + "CategoricalFocalCrossentropyTest::test_sample_weighted[logits]",
      L.CategoricalFocalCrossentropy(from_logits=True), ONEHOT3, LOGITS3, 0.001933,
      np.array([[1.2], [3.4], [5.6]]), decimal=3),
    c(M + "CategoricalFocalCrossentropyTest::test_no_reduction",
      L.CategoricalFocalCrossentropy(from_logits=True, reduction=None), ONEHOT3, LOGITS3,
      [1.5096224e-09, 2.4136547e-11, 1.0360638e-03]),
    c(M + "CategoricalFocalCrossentropyTest::test_label_smoothing",
      L.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1),
      np.array([[1, 0, 0]]), np.array([[4.9, -0.5, 2.05]]), 0.06685, decimal=3),
]


@pytest.mark.parametrize("loss, y_true, y_pred, sample_weight, expected, decimal, atol, rtol", CASES)
def test_keras_loss_case(loss, y_true, y_pred, sample_weight, expected, decimal, atol, rtol):
    value = loss(y_true, y_pred, sample_weight=sample_weight)
    if decimal is not None:  # Keras's assertAlmostEqual
        assert np.all(np.abs(np.asarray(value) - np.asarray(expected)) < 1.5 * 10.0 ** -decimal), value
    else:  # Keras's assertAllClose
        np.testing.assert_allclose(value, expected, atol=atol, rtol=rtol)
    assert np.shape(value) == np.shape(expected)


@pytest.mark.parametrize("loss_cls", [L.BinaryCrossentropy, L.CategoricalCrossentropy], ids=[
    "losses_test.py::BinaryCrossentropyTest::test_shape_mismatch",
    "losses_test.py::CategoricalCrossentropyTest::test_shape_mismatch"])
def test_keras_shape_mismatch(loss_cls):
    with pytest.raises(ValueError, match="must have the same shape"):
        loss_cls()(np.array([[0], [1], [2]]), PROBS3)


def test_keras_mean_squared_error_function_keeps_one_value_per_sample():
    """losses_test.py::MeanSquaredErrorTest::test_base_function_reduction"""
    assert L.mean_squared_error(np.array([4, 8, 12]), np.array([[3], [0], [1]])).shape == (3,)


@pytest.mark.parametrize("loss_cls", [L.Hinge, L.SquaredHinge, L.CategoricalHinge], ids=[
    "losses_test.py::HingeTest::test_unweighted[bad]",
    "losses_test.py::SquaredHingeTest::test_unweighted[bad]",
    "losses_test.py::CategoricalHingeTest::test_unweighted[bad]"])
def test_keras_bad_reduction(loss_cls):
    with pytest.raises(ValueError, match="Invalid value for argument"):
        loss_cls(reduction="abc")


@pytest.mark.parametrize("loss, name", [
    (L.CosineSimilarity(axis=2, reduction="sum", name="cosine_loss"), "cosine_loss"),
    (L.Huber(reduction="sum", name="huber"), "huber"),
    (L.LogCosh(reduction="sum", name="logcosh_loss"), "logcosh_loss"),
], ids=["losses_test.py::CosineSimilarityTest::test_config", "losses_test.py::HuberLossTest::test_config",
        "losses_test.py::LogCoshTest::test_config"])
def test_keras_config(loss, name):
    assert loss.get_config() == {"name": name, "reduction": "sum"}


@pytest.mark.parametrize("loss, name", [
    (L.KLDivergence(reduction="sum", name="kld"), "kld"),
    (L.Poisson(reduction="sum", name="poisson"), "poisson"),
], ids=["losses_test.py::KLDivergenceTest::test_config", "losses_test.py::PoissonTest::test_config"])
def test_keras_name_and_reduction(loss, name):
    assert (loss.name, loss.reduction) == (name, "sum")


def test_keras_sparse_axis_other_than_last_is_refused_as_tensorflow_does():
    """losses_test.py::SparseCategoricalCrossentropyTest::test_binary_segmentation_different_axis
    and losses_test.py::SparseCategoricalCrossentropyTest::test_multi_class_segmentation_different_axis
    (their TensorFlow branch)."""
    for y_true, y_pred in [(SEG_T2, SEG_P2), (SEG_T3, SEG_P3)]:
        with pytest.raises(ValueError, match=r"Only axis=-1 is currently supported\. Received: axis=0"):
            L.SparseCategoricalCrossentropy(axis=0)(y_true, np.moveaxis(y_pred, 2, 0))


# -- loss_test.py: the Loss base class, with Keras's ExampleLoss (y_true - y_pred)^2 ------------
class ExampleLoss(L.Loss):
    def per_sample(self, y_true, y_pred):
        return (y_true - y_pred) ** 2, -2.0 * (y_true - y_pred)


LT_T, LT_P = np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.1, 0.2, 0.3, 0.4])
LT_W = np.array([0.4, 0.3, 0.2, 0.1])


@pytest.mark.parametrize("reduction, expected", [
    (None, (LT_T - LT_P) ** 2), ("sum", np.sum((LT_T - LT_P) ** 2)),
    ("sum_over_batch_size", np.sum((LT_T - LT_P) ** 2) / 4)])
def test_keras_loss_test_reduction(reduction, expected):
    """loss_test.py::LossTest::test_reduction"""
    np.testing.assert_allclose(ExampleLoss(reduction=reduction)(LT_T, LT_P), expected, atol=1e-6, rtol=1e-6)
    with pytest.raises(ValueError, match="Invalid value for argument"):
        ExampleLoss(reduction="abc")


def test_keras_loss_test_sample_weight():
    """loss_test.py::LossTest::test_sample_weight (and every weight 0: 0, no NaN)"""
    np.testing.assert_allclose(ExampleLoss()(LT_T, LT_P, sample_weight=LT_W),
                               np.sum(LT_W * (LT_T - LT_P) ** 2) / 4, atol=1e-6, rtol=1e-6)
    assert ExampleLoss()(LT_T, LT_P, sample_weight=np.zeros(4)) == 0.0


def test_keras_loss_test_mixed_dtypes():
    """loss_test.py::LossTest::test_mixed_dtypes"""
    value = ExampleLoss()(LT_T.astype("int32"), LT_P.astype("float32"), sample_weight=LT_W)
    np.testing.assert_allclose(value, np.sum(LT_W * (LT_T - LT_P.astype("float32")) ** 2) / 4, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("shapes, expected", [
    (((3,), (3, 1)), ((3, 1), (3, 1))), (((3, 2), (3, 2, 1)), ((3, 2), (3, 2))),
    (((3, 1), (3,)), ((3, 1), (3, 1))), (((3, 2, 1), (3, 2)), ((3, 2), (3, 2)))])
def test_keras_loss_test_squeeze_or_expand(shapes, expected):
    """loss_test.py::LossTest::test_squeeze_or_expand"""
    x1, x2 = L.squeeze_or_expand_to_same_rank(np.ones(shapes[0]), np.ones(shapes[1]))
    assert (x1.shape, x2.shape) == expected


def test_keras_loss_test_get_method():
    """loss_test.py::LossTest::test_get_method (the part that applies: get returns Loss objects)"""
    assert isinstance(L.get("mse"), L.MeanSquaredError)
    with pytest.raises(ValueError):
        L.get("typo")


# -- the three failures issue 16 found, as plain facts ------------------------------------------
def test_more_than_two_dimensions_average_over_every_loss_value():
    """MSE on (2, 3, 1): Keras's 49.5 (the mean of 6 values), not 148.5 (divided by the batch)."""
    y_true = np.array([1.0, 9, 2, -5, -2, 6]).reshape(2, 3, 1)
    y_pred = np.array([4.0, 8, 12, 8, 1, 3]).reshape(2, 3, 1)
    assert L.MeanSquaredError()(y_true, y_pred) == pytest.approx((9 + 1 + 100 + 169 + 9 + 9) / 6, rel=1e-15)
