"""Keras 3.15.1's own layer tests for Dense (layers/core/dense_test.py), Embedding
(layers/core/embedding_test.py) and the merging layers (layers/merging/merging_test.py), run
against the NumPy side, each named after its Keras test; plus the merge layers' forward pass and
gradients against real Keras (float64, <= 1e-12 relative) and a side-by-side ``fit``. Keras tests
that are not here are listed in docs/keras_tests.md.

The twin's inputs are flat (one row of features per sample), so Keras's cases on ``(2, 4, 5)``
inputs of an element-wise layer run on ``(2, 5)`` rows here: the same arithmetic, element by
element.
"""

import numpy as np
import pytest

from scratch_vs_keras import compare_gradients, scratch
from scratch_vs_keras.compare import train_side_by_side

L = scratch.layers
D = "dense_test.py::DenseTest::"
E = "embedding_test.py::EmbeddingTest::"
M = "merging_test.py::MergingLayersTest::"
KERAS_CLOSE = {"rtol": 1e-6, "atol": 1e-6}  # keras.src.testing's assertAllClose defaults
KERNEL = np.array([[1.0, -2.0], [3.0, -4.0]])
BIAS = np.array([5.0, -6.0])
ROW = np.array([[-1.0, 2.0]])


def _dense_output(layer, weights, x=ROW):
    """``layer`` in a one-layer model with ``weights`` set, applied to ``x``."""
    model = scratch.Sequential([scratch.Input(shape=(x.shape[1],)), layer], dtype="float64")
    model.set_weights(weights)
    return model.predict(x)


# -- Dense ---------------------------------------------------------------------------------------

def test_keras_dense_basics():
    """dense_test.py::DenseTest::test_dense_basics (its 3-D case at rank 2: the twin's inputs
    are flat)"""
    no_bias = L.Dense(4, activation="relu", kernel_initializer="random_uniform",
                      bias_initializer="ones", use_bias=False)
    model = scratch.Sequential([scratch.Input(shape=(3,)), no_bias], seed=0, dtype="float64")
    out = model.predict(np.random.default_rng(0).random((2, 3)))
    assert out.shape == (2, 4) and out.min() >= 0
    assert len(model.get_weights()) == 1 and not no_bias.regularized and model.penalty() == 0

    both = L.Dense(5, activation="sigmoid", kernel_regularizer="l2", bias_regularizer="l2",
                   bias_initializer="ones")
    model = scratch.Sequential([scratch.Input(shape=(4,)), both], seed=0, dtype="float64")
    assert model.predict(np.ones((2, 4))).shape == (2, 5)
    kernel, bias = model.get_weights()
    assert sum(reg is not None for reg in both.weight_regularizers()) == 2  # "2 losses"
    l2 = float(np.float32(0.01))  # Keras's float64 L2(0.01), through float32
    np.testing.assert_allclose(model.penalty(), l2 * ((kernel ** 2).sum() + 5.0), rtol=1e-15)


@pytest.mark.parametrize("units", [0, -3, 2.5, None, "64"])
def test_keras_dense_invalid_units_raises(units):
    """dense_test.py::DenseTest::test_dense_invalid_units_raises"""
    with pytest.raises(ValueError, match="positive integer"):
        L.Dense(units)


def test_keras_dense_correctness():
    """dense_test.py::DenseTest::test_dense_correctness"""
    np.testing.assert_allclose(_dense_output(L.Dense(2, activation="relu"), [KERNEL, BIAS]),
                               [[10.0, 0.0]], **KERAS_CLOSE)
    kernel_only = L.Dense(2, use_bias=False)
    np.testing.assert_allclose(_dense_output(kernel_only, [KERNEL]), [[5.0, -6.0]], **KERAS_CLOSE)
    assert kernel_only.bias is None


def test_keras_dense_errors():
    """dense_test.py::DenseTest::test_dense_errors (a layer built for 2 features given 3; the
    twin's layer is called once, symbolically, so the model refuses the data)"""
    model = scratch.Sequential([scratch.Input(shape=(2,)), L.Dense(2, activation="relu")])
    with pytest.raises(ValueError, match="has 3 columns .* expects 2"):
        model.predict(np.ones((1, 3)))


@pytest.mark.parametrize("make, expected", [
    pytest.param(lambda: L.Dense(2, use_bias=False, activation=None), [[5.0, -6.0]],
                 id=D + "test_dense_no_activation"),
    pytest.param(lambda: L.Dense(2, use_bias=False, activation="relu"), [[5.0, 0.0]],
                 id=D + "test_dense_with_activation"),
])
def test_keras_dense_without_bias(make, expected):
    layer = make()
    np.testing.assert_allclose(_dense_output(layer, [KERNEL]), expected, **KERAS_CLOSE)
    assert layer.bias is None


def test_keras_dense_without_activation_set():
    """dense_test.py::DenseTest::test_dense_without_activation_set (Keras sets
    ``layer.activation = None``; the twin's layer holds an activation object, and None's is
    ``activations.get(None)``, the linear one)"""
    layer = L.Dense(2, use_bias=False, activation="relu")
    layer.activation = scratch.activations.get(None)
    np.testing.assert_allclose(_dense_output(layer, [KERNEL]), [[5.0, -6.0]], **KERAS_CLOSE)
    assert layer.bias is None


# -- Embedding -----------------------------------------------------------------------------------

def _built_embedding(input_dim, output_dim, table=None):
    layer = L.Embedding(input_dim=input_dim, output_dim=output_dim)
    layer.build((), "float64", np.random.default_rng(0))
    if table is not None:
        layer.weights[0][...] = table
    return layer


def test_keras_embedding_basics():
    """embedding_test.py::EmbeddingTest::test_embedding_basics (its first case; the second,
    mask_zero on (2, 3) indices, is out of scope)"""
    layer = _built_embedding(4, 3)
    out, _ = layer.forward(np.array([0, 3]))
    assert out.shape == (2, 3) and len(layer.weights) == 1 and layer.weights[0].shape == (4, 3)
    assert not layer.regularized
    np.testing.assert_array_equal(out, layer.weights[0][[0, 3]])


def test_keras_embedding_correctness():
    """embedding_test.py::EmbeddingTest::test_correctness"""
    layer = _built_embedding(3, 2, [[0.0, 0.0], [2.0, 2.0], [3.0, 3.0]])
    out, _ = layer.forward(np.array([2, 1, 0]))
    np.testing.assert_allclose(out, [[3.0, 3.0], [2.0, 2.0], [0.0, 0.0]], **KERAS_CLOSE)


@pytest.mark.parametrize("argument", [
    pytest.param("input_dim", id=E + "test_invalid_input_dim"),
    pytest.param("output_dim", id=E + "test_invalid_output_dim"),
])
@pytest.mark.parametrize("bad", [3.7, 4.0, "3", None, True, False, -1, 0])
def test_keras_embedding_invalid_dims(argument, bad):
    """(the ValueError part; the ``from_config`` TypeError part is out of scope)"""
    kwargs = {"input_dim": 10, "output_dim": 8, argument: bad}
    with pytest.raises(ValueError, match=f"`{argument}` must be a positive integer"):
        L.Embedding(**kwargs)


# -- merging -------------------------------------------------------------------------------------

def _np_dot(a, b):  # merging_test.py's np_dot at rank 2, axes=-1
    return np.stack([np.tensordot(a[i], b[i], 1) for i in range(a.shape[0])])[:, None]


MERGES = {  # Keras's TEST_PARAMETERS: layer, np_op, output width for two (2, 5) inputs
    "add": (L.Add, np.add, 5),
    "subtract": (L.Subtract, np.subtract, 5),
    "minimum": (L.Minimum, np.minimum, 5),
    "maximum": (L.Maximum, np.maximum, 5),
    "multiply": (L.Multiply, np.multiply, 5),
    "average": (L.Average, lambda a, b: np.multiply(np.add(a, b), 0.5), 5),
    "concat": (L.Concatenate, lambda a, b: np.concatenate((a, b), axis=-1), 10),
    "dot_2d": (lambda **kw: L.Dot(axes=-1, **kw), _np_dot, 1),
}


@pytest.mark.parametrize("case", sorted(MERGES), ids=lambda c: M + "test_basic-" + c)
def test_keras_merging_basic(case):
    """(at rank 2) output shape, no weights, no penalty"""
    layer_class, _, width = MERGES[case]
    layer = layer_class()
    node = layer([scratch.Input(shape=(5,)), scratch.Input(shape=(5,))])
    assert node.shape == (width,)
    assert layer.weights == [] and layer.count_params() == 0 and layer.penalty() == 0


def _merge_model(layer_class):
    a, b = scratch.Input(shape=(5,), name="a"), scratch.Input(shape=(5,), name="b")
    merged = layer_class(name="merged")([a, b])
    model = scratch.Model([a, b], L.Dense(1)(merged), seed=0, dtype="float64")
    return model


@pytest.mark.parametrize("test", ["test_correctness_static", "test_correctness_dynamic"])
@pytest.mark.parametrize("case", sorted(MERGES))
def test_keras_merging_correctness(case, test):
    """merging_test.py::MergingLayersTest::test_correctness_static/_dynamic (at rank 2; the
    twin's Input has no fixed batch size, so the two are one case; their mask parts are out of
    scope): the merged layer's output in a functional model against Keras's np_op, atol 1e-4."""
    layer_class, np_op, width = MERGES[case]
    rng = np.random.default_rng(len(case))
    x1, x2 = rng.random((2, 5)), rng.random((2, 5))
    out = _merge_model(layer_class).layer_outputs([x1, x2])["merged"]
    assert out.shape == (2, width)
    np.testing.assert_allclose(out, np_op(x1, x2), atol=1e-4)


def test_keras_subtract_layer_inputs_length_errors():
    """merging_test.py::MergingLayersTest::test_subtract_layer_inputs_length_errors"""
    inputs = [scratch.Input(shape=(5,)) for _ in range(3)]
    for wrong in (inputs, inputs[:1]):
        with pytest.raises(ValueError, match="layer should be called on exactly 2 inputs"):
            L.Subtract()(wrong)


X1_MASKED = np.array([[0, 0], [1, 2], [0, 0], [3, 4]], dtype=float)
X2 = np.array([[0, 0], [0, 0], [1, 2], [3, 4]], dtype=float)


@pytest.mark.parametrize("layer_class, expected", [
    pytest.param(L.Add, [[0, 0], [1, 2], [1, 2], [6, 8]], id=M + "test_add_with_mask"),
    pytest.param(L.Subtract, [[0, 0], [1, 2], [-1, -2], [0, 0]], id=M + "test_subtract_with_mask"),
    pytest.param(L.Average, [[0, 0], [0.5, 1], [0.5, 1], [3, 4]], id=M + "test_average_with_mask"),
    pytest.param(L.Concatenate, [[0, 0, 0, 0], [1, 2, 0, 0], [0, 0, 1, 2], [3, 4, 3, 4]],
                 id=M + "test_concatenate_with_mask"),
])
def test_keras_merging_values_of_the_mask_tests(layer_class, expected):
    """The values Keras expects where they do not depend on the mask (Keras's (1, 4, 2) tensors
    as 4 rows; Concatenate along the features, Keras's axis=2); the masks are out of scope."""
    out, _ = layer_class().forward([X1_MASKED, X2])
    np.testing.assert_allclose(out, expected, **KERAS_CLOSE)


def test_keras_concatenate_errors():
    """merging_test.py::MergingLayersTest::test_concatenate_errors (the working case at rank 2,
    widths 5 and 4 -> 9; the refused cases need inputs of rank > 2)"""
    layer = L.Concatenate()
    assert layer([scratch.Input(shape=(5,)), scratch.Input(shape=(4,))]).shape == (9,)
    out, _ = layer.forward([np.ones((1, 5)), np.ones((1, 4))])
    assert out.shape == (1, 9)


def test_dot_takes_the_features_axis():
    for axes in (0, 2, 1.0, (1,), (1, 2), True):
        with pytest.raises(ValueError, match=r"`axes` must be the features' axis, 1 or -1"):
            L.Dot(axes=axes)
    with pytest.raises(ValueError, match=r"`Dot` layer should be called on exactly 2 inputs"):
        L.Dot(axes=1)([scratch.Input(shape=(3,)) for _ in range(3)])


def test_merge_layers_refuse_inputs_of_different_widths():
    shapes = r"received shapes \[\(None, 5\), \(None, 4\)\]"
    with pytest.raises(ValueError, match=r"`Add` merges inputs element by element.*" + shapes):
        L.Add()([scratch.Input(shape=(5,)), scratch.Input(shape=(4,))])
    with pytest.raises(ValueError, match="should be called on a list of at least 2 inputs"):
        L.Multiply()([scratch.Input(shape=(5,))])


# -- the merge layers against real Keras -----------------------------------------------------------

ELEMENTWISE = [L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum]


def _branches_model(layer_class, dtype="float64", optimizer="sgd"):
    """Three Dense branches merged (two for Subtract), a residual input for Add, then Dense(1)."""
    inp = scratch.Input(shape=(5,))
    branches = [L.Dense(5, activation=act)(inp) for act in ("tanh", "sigmoid", "relu")]
    if layer_class is L.Add:
        branches[2] = inp  # a residual connection: the input itself is merged
    two = layer_class is L.Subtract or layer_class in DOTS.values()
    merged = layer_class()(branches[:2] if two else branches)
    model = scratch.Model(inp, L.Dense(1, activation="sigmoid")(merged), seed=0, dtype=dtype)
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


def _worst_keras_gap(result):
    rows = result.table[result.table.quantity != "finite_difference"]
    return rows.rel_diff.max()


DOTS = {"Dot": lambda **kw: L.Dot(axes=-1, **kw),
        "Dot-normalize": lambda **kw: L.Dot(axes=(1, -1), normalize=True, **kw)}


@pytest.mark.parametrize("make", ELEMENTWISE + list(DOTS.values()),
                         ids=[c.__name__ for c in ELEMENTWISE] + list(DOTS))
def test_merge_layer_gradients_match_keras_in_float64(make):
    """Forward, loss and every gradient <= 1e-12 relative to Keras; backprop against central
    differences (compare_gradients's 1e-6)."""
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(16, 5)), rng.integers(0, 2, 16)
    result = compare_gradients(_branches_model(make), x, y)
    assert result.ok, str(result)
    assert _worst_keras_gap(result) <= 1e-12, str(result)


@pytest.mark.parametrize("layer_class", [L.Maximum, L.Minimum], ids=lambda c: c.__name__)
def test_ties_send_the_gradient_to_the_first_input_as_tensorflow_does(layer_class):
    """max(h, h): TensorFlow's gradient of maximum(x, y) goes to x where x >= y, so h gets the
    upstream gradient once; a rule that passed it to every tied input would double it."""
    inp = scratch.Input(shape=(4,))
    h = L.Dense(3, activation="tanh")(inp)
    model = scratch.Model(inp, L.Dense(1, activation="sigmoid")(layer_class()([h, h])), seed=2,
                          dtype="float64")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    rng = np.random.default_rng(8)
    result = compare_gradients(model, rng.normal(size=(10, 4)), rng.integers(0, 2, 10),
                               finite_differences=False)
    assert result.ok, str(result)
    assert _worst_keras_gap(result) <= 1e-12, str(result)


def test_merge_layers_train_side_by_side_with_keras_fit():
    """Every element-wise merge in one model, trained by Keras's real fit and the NumPy side."""
    inp = scratch.Input(shape=(4,))
    h = [L.Dense(3, activation=act)(inp) for act in ("tanh", "sigmoid", "relu", "elu")]
    mixed = L.Average()([L.Add()([h[0], h[1]]), L.Multiply()([h[1], h[2], h[3]]),
                         L.Subtract()([L.Maximum()([h[0], h[3]]), L.Minimum()([h[1], h[2]])])])
    model = scratch.Model(inp, L.Dense(1, activation="sigmoid")(mixed), seed=3, dtype="float64")
    model.compile(optimizer=scratch.optimizers.Adam(0.01), loss="binary_crossentropy")
    rng = np.random.default_rng(9)
    x = rng.normal(size=(64, 4))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    run = train_side_by_side(model, x, y, epochs=5, batch_size=8, shuffle=True)
    assert run.steps == 40
    v = run.verdict_table().set_index("quantity").worst_rel_diff
    assert v.loc["weights, final"] <= 1e-12 and run.ok, str(run)
