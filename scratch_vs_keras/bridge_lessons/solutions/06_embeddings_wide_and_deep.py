"""Solutions of lesson 6 (instructor copy); see solutions/01_backprop_equations.py."""

import keras
import numpy as np

adult = None   # the lesson's prepared Adult data (a WideDeepData)


def embedding_gradient(table_shape, indices, dE):
    """The table's gradient (table_shape) from dJ/dE (B, output_dim) of the rows indices (B,)."""
    table = np.zeros(table_shape)
    np.add.at(table, indices, dE)      # scatter-ADD: repeated categories accumulate
    return table


def build_keras_model():
    """The course's wide-and-deep network on Adult, with Keras's functional API."""
    Embedding, Dense, concatenate = keras.layers.Embedding, keras.layers.Dense, keras.layers.concatenate
    inputs, wide, deep = {}, [], []
    for c in adult.crosses:
        inputs[c] = keras.Input(shape=(), dtype="int32", name=c)
        wide.append(Embedding(int(adult.vocabulary_size(c)), 4, name=f"wide_{c}")(inputs[c]))
    for c in adult.categorical:
        inputs[c] = keras.Input(shape=(), dtype="int32", name=c)
        deep.append(Embedding(int(adult.vocabulary_size(c)), 4, name=f"deep_{c}")(inputs[c]))
    inputs["numeric"] = keras.Input(shape=(len(adult.numeric),), name="numeric")
    h = concatenate(deep + [inputs["numeric"]], name="deep_features")
    h = Dense(32, activation="relu", name="deep_dense_0")(h)
    h = Dense(16, activation="relu", name="deep_dense_1")(h)
    joined = concatenate(wide + [h], name="wide_and_deep")
    income = Dense(1, activation="sigmoid", name="income")(joined)
    model = keras.Model(inputs=inputs, outputs=income)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_matrix_model():
    """Exercise 2's network with matrix inputs [crosses (B, 3), categorical (B, 8), numeric (B, 6)]."""
    Embedding, Dense, concatenate = keras.layers.Embedding, keras.layers.Dense, keras.layers.concatenate
    crosses = keras.Input(shape=(len(adult.crosses),), dtype="int32", name="crosses")
    categorical = keras.Input(shape=(len(adult.categorical),), dtype="int32", name="categorical")
    numeric = keras.Input(shape=(len(adult.numeric),), name="numeric")
    wide = [Embedding(int(adult.vocabulary_size(c)), 4, name=f"wide_{c}")(keras.ops.take(crosses, i, axis=1))
            for i, c in enumerate(adult.crosses)]
    deep = [Embedding(int(adult.vocabulary_size(c)), 4, name=f"deep_{c}")(keras.ops.take(categorical, i, axis=1))
            for i, c in enumerate(adult.categorical)]
    h = concatenate(deep + [numeric], name="deep_features")
    h = Dense(32, activation="relu", name="deep_dense_0")(h)
    h = Dense(16, activation="relu", name="deep_dense_1")(h)
    income = Dense(1, activation="sigmoid", name="income")(concatenate(wide + [h], name="wide_and_deep"))
    return keras.Model(inputs=[crosses, categorical, numeric], outputs=income)   # a list: by position


def linear_on_one_hot(indices, w):
    """w^T x for x the one-hot encoding of each index: (B, 1)."""
    return np.eye(len(w))[indices] @ w
