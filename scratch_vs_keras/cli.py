"""The ``scratch-vs-keras`` command.

With no arguments it runs the main job: scikit-learn's breast-cancer data, standardized, a default
MLP (30-16-8-1, relu/relu/sigmoid, L2 on the kernels, binary cross-entropy, float64), and the
gradient comparison of one batch against the Keras twin, with a one-line verdict. The exit status
is 1 when anything does not match and 2 for bad arguments.
"""

import argparse
import os
import sys
import time


def default_model(n_features, dtype="float64", seed=0):
    """The main job's MLP: 16 relu -> 8 relu -> 1 sigmoid, L2(1e-3) kernels, binary cross-entropy."""
    from .scratch import Input, Sequential, regularizers
    from .scratch.layers import Dense

    model = Sequential(
        [
            Input(shape=(n_features,)),
            Dense(16, activation="relu", kernel_regularizer=regularizers.L2(1e-3)),
            Dense(8, activation="relu", kernel_regularizer=regularizers.L2(1e-3)),
            Dense(1, activation="sigmoid"),
        ],
        seed=seed,
        dtype=dtype,
    )
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    return model


def _cmd_gradients(args):
    from .compare import compare_gradients
    from .data import load_dataset, prepare

    started = time.perf_counter()
    data = load_dataset("breast_cancer")
    x_train, y_train, _, _ = prepare(data, seed=args.seed)
    n = len(x_train) if args.batch_size is None else min(args.batch_size, len(x_train))
    model = default_model(x_train.shape[1], dtype=args.dtype, seed=args.seed)
    print(f"{data.description}\nBatch: {n} standardized training rows, {x_train.shape[1]} features.")
    model.summary()
    result = compare_gradients(model, x_train[:n], y_train[:n])
    print()
    print(result)
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0 if result.ok else 1


def build_parser():
    parser = argparse.ArgumentParser(
        prog="scratch-vs-keras",
        description=(
            "Prove that a from-scratch NumPy MLP and its Keras twin compute the same numbers. "
            "Without a command: the gradient comparison on breast-cancer data."
        ),
    )
    sub = parser.add_subparsers(dest="command")
    g = sub.add_parser(
        "gradients",
        help="one batch: forward activations, loss and every gradient, NumPy vs Keras (default)",
    )
    for p in (parser, g):
        p.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                       help="float type of both models (default float64, for round-off-level checks)")
        p.add_argument("--seed", type=int, default=0,
                       help="seed of the data split and the initial weights (default 0)")
        p.add_argument("--batch-size", type=int, default=None,
                       help="rows in the compared batch (default: the whole training split)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.batch_size is not None and args.batch_size < 1:
        print("scratch-vs-keras: --batch-size must be a positive integer.", file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return _cmd_gradients(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
