"""The course's own preprocessing of Adult (notebooks 10 and 10a), reproduced on today's pandas
and Keras: :func:`prepare_course` (called by ``prepare_adult(course=...)``).

Both notebooks drop every row with a ``?`` (30,162 training and 15,060 test rows) and use the
same 8 categorical and 4 numeric columns; the networks embed each column into
``int(sqrt(N))`` numbers, ``N`` its number of categories (or hash bins).

* **10**: categories label-encoded (sorted, fitted on the training rows); ``age``,
  ``capital-gain``, ``capital-loss``, ``hours-per-week`` standardized (StandardScaler); four
  crosses, the columns' values joined with ``_`` and label-encoded. The notebook fits the cross
  encoders on training *and* test rows, which gives combinations seen only in the test set an
  embedding row that is never trained; ``fit_crosses_on_test=True`` reproduces that, the default
  fits them on the training rows and maps an unseen combination to one extra index.
* **10a** (Keras's ``FeatureSpace``, adapted on the training rows in batches of 64 with
  ``drop_remainder``): ``StringLookup(num_oov_indices=0)`` per category (frequency order), ``age``
  in 30 quantile bins fed as the bin index, three columns ``Normalization``-ed, three
  ``HashedCrossing`` of the lookup indices (98, 14 and 224 bins). Done here with the NumPy twins
  of those layers (:mod:`scratch_vs_keras.scratch.layers.preprocessing`), equal to Keras's.
"""

import numpy as np

from ..scratch.layers import Discretization, HashedCrossing, Normalization, StringLookup

COURSES = ("10", "10a")
COURSE_CATEGORICAL = ["workclass", "education", "marital-status", "occupation", "relationship",
                      "race", "sex", "native-country"]
COURSE_NUMERIC = ["age", "capital-gain", "capital-loss", "hours-per-week"]
#: notebook 10's crosses (string-joined, label-encoded)
CROSSES_10 = [("race", "sex", "marital-status", "occupation"), ("workclass", "occupation"),
              ("workclass", "occupation", "education"), ("education", "native-country")]
#: notebook 10a's crosses and their hash bins
CROSSES_10A = [(("workclass", "occupation"), 98), (("marital-status", "sex"), 14),
               (("occupation", "education"), 224)]
#: the batch size of each notebook's training (10a also adapts its preprocessing in these)
COURSE_BATCH = {"10": 32, "10a": 64}
#: the course's parameter counts (10: all; 10a: trainable, its 9 Normalization statistics apart)
COURSE_PARAMETERS = {"10": 51_158, "10a": 7_386}


def course_name(column):
    """The notebooks' name of a column (``marital-status`` -> ``marital_status``; ``native-country``
    is their ``country``)."""
    return {"native-country": "country"}.get(column, column.replace("-", "_"))


def course_rows(train, test):
    """The notebooks' rows: every row with a missing value (the data's ``?``) dropped."""
    return train.dropna().reset_index(drop=True), test.dropna().reset_index(drop=True)


def label_encode(fit_values, *values):
    """scikit-learn's ``LabelEncoder``: the sorted distinct ``fit_values``, and each array of
    ``values`` as indices into them (every value must be among them)."""
    classes = np.unique(np.asarray(fit_values, dtype=str))
    out = []
    for v in values:
        v = np.asarray(v, dtype=str)
        idx = np.searchsorted(classes, v)
        if np.any(idx >= len(classes)) or np.any(classes[np.minimum(idx, len(classes) - 1)] != v):
            raise ValueError("A value to encode is not among the fitted categories.")
        out.append(idx.astype(np.int64))
    return classes, out


def joined(frame, columns):
    """Notebook 10's crossed label: the columns' values joined by ``_``."""
    parts = [frame[c].astype(str).to_numpy() for c in columns]
    out = parts[0]
    for p in parts[1:]:
        out = np.char.add(np.char.add(out, "_"), p)
    return out


def encode_10(train, test, fit_crosses_on_test=False):
    """Notebook 10's inputs: ``(x_train, x_test, sizes, notes)``."""
    x_train, x_test, sizes, notes = {}, {}, {}, []
    for c in COURSE_CATEGORICAL:
        classes, (tr, te) = label_encode(train[c], train[c], test[c])
        x_train[course_name(c)], x_test[course_name(c)] = tr, te
        sizes[course_name(c)] = len(classes)
    for cross in CROSSES_10:
        name = "_".join(course_name(c) for c in cross)
        tr_text, te_text = joined(train, cross), joined(test, cross)
        if fit_crosses_on_test:  # the notebook's way
            classes, (tr, te) = label_encode(np.concatenate([tr_text, te_text]), tr_text, te_text)
            unseen = int(np.sum(~np.isin(te_text, np.unique(tr_text))))
            notes.append(f"{name}: {len(classes)} combinations encoded on train AND test (as the "
                         f"notebook); {unseen} test rows use one never trained")
        else:
            classes = np.unique(tr_text)
            seen = np.isin(te_text, classes)
            tr = np.searchsorted(classes, tr_text).astype(np.int64)
            te = np.where(seen, np.searchsorted(classes, te_text), len(classes)).astype(np.int64)
            notes.append(f"{name}: {len(classes)} combinations from the training rows + 1 index "
                         f"for unseen ones ({int((~seen).sum())} test rows)")
            classes = np.append(classes, "<unseen>")
        x_train[name], x_test[name] = tr, te
        sizes[name] = len(classes)
    x = train[COURSE_NUMERIC].to_numpy(float)
    mean, std = x.mean(axis=0), x.std(axis=0)  # StandardScaler: the population deviation
    x_train["numeric"] = (x - mean) / std
    x_test["numeric"] = (test[COURSE_NUMERIC].to_numpy(float) - mean) / std
    return x_train, x_test, sizes, notes


def _batches(values, size):
    """The notebook's ``batch(size, drop_remainder=True)``: full batches only."""
    return [values[i:i + size] for i in range(0, len(values) - size + 1, size)]


def encode_10a(train, test):
    """Notebook 10a's inputs (its FeatureSpace, adapted in 64-row batches): ``(x_train, x_test,
    sizes, notes)``."""
    x_train, x_test, sizes, notes = {}, {}, {}, []
    b = COURSE_BATCH["10a"]
    index = {}
    for c in COURSE_CATEGORICAL:
        lookup = StringLookup(num_oov_indices=0).adapt(_batches(train[c].astype(str).to_numpy(), b))
        index[c] = (lookup(train[c].astype(str).to_numpy()), lookup(test[c].astype(str).to_numpy()))
        x_train[course_name(c)], x_test[course_name(c)] = index[c]
        sizes[course_name(c)] = lookup.vocabulary_size()
    for cross, bins in CROSSES_10A:
        name = "_X_".join(course_name(c) for c in cross)
        crossing = HashedCrossing(bins)
        x_train[name] = crossing([index[c][0] for c in cross])
        x_test[name] = crossing([index[c][1] for c in cross])
        sizes[name] = bins
    age = Discretization(num_bins=30).adapt(_batches(train["age"].to_numpy(float), b))
    scaled = COURSE_NUMERIC[1:]
    norm = Normalization().adapt(_batches(train[scaled].to_numpy(float), b))
    for x, frame in ((x_train, train), (x_test, test)):
        x["numeric"] = np.column_stack([age(frame["age"].to_numpy(float)).astype(float),
                                        norm(frame[scaled].to_numpy(float))])
    notes.append(f"age: 30 quantile bins (boundaries {age.bin_boundaries[0]:g} ... "
                 f"{age.bin_boundaries[-1]:g}), fed as the bin index")
    notes.append("capital-gain, capital-loss, hours-per-week: Normalization adapted on the "
                 f"{len(_batches(train, b)) * b:,} rows of the full 64-row batches")
    return x_train, x_test, sizes, notes
