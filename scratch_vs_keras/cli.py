"""The ``scratch-vs-keras`` command.

With no arguments it runs the main job: scikit-learn's breast-cancer data, standardized, a default
MLP (30-16-8-1, relu/relu/sigmoid, L2 on the kernels, binary cross-entropy, float64), and the
gradient comparison of one batch against the Keras twin, with a one-line verdict.
``scratch-vs-keras train`` trains the same model side by side with its twin (through Keras's own
``model.fit``) and prints a verdict table. The exit status is 1 when anything does not match and 2
for bad arguments.
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
    d = prepare(data, seed=args.seed)
    x_train, y_train = d.x_train, d.y_train
    n = len(x_train) if args.batch_size is None else min(args.batch_size, len(x_train))
    model = default_model(x_train.shape[1], dtype=args.dtype, seed=args.seed)
    print(f"{data.description}\nBatch: {n} standardized training rows, {x_train.shape[1]} features.")
    model.summary()
    result = compare_gradients(model, x_train[:n], y_train[:n])
    print()
    print(result)
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0 if result.ok else 1


def _cmd_train(args):
    import math

    from .compare import train_side_by_side
    from .data import load_dataset, prepare
    from .scratch import optimizers

    started = time.perf_counter()
    data = load_dataset("breast_cancer")
    d = prepare(data, seed=args.seed)
    x_train, y_train, x_test, y_test = d.x_train, d.y_train, d.x_test, d.y_test
    batch_size = args.batch_size or 32
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    epochs = args.epochs or math.ceil(1000 / steps_per_epoch)
    model = default_model(x_train.shape[1], dtype=args.dtype, seed=args.seed)
    model.compile(optimizer=optimizers.get(args.optimizer), loss="binary_crossentropy",
                  metrics=["accuracy"])
    print(f"{data.description}\nTraining {len(x_train)} rows, validation {len(x_test)} rows; "
          f"optimizer {args.optimizer}, batch size {batch_size}, {epochs} epochs "
          f"({epochs * steps_per_epoch} steps), shuffle {'on' if args.shuffle else 'off'}, {args.dtype}.")
    run = train_side_by_side(model, x_train, y_train, epochs=epochs, batch_size=batch_size,
                             shuffle=args.shuffle, validation_data=(x_test, y_test), save=args.save)
    print()
    print(run)
    if args.save:
        print(f"Per-step records written to {args.save}.")
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0 if run.ok else 1


def _cmd_conventions(args):
    from .compare.conventions import conventions_markdown
    from .report_io import write_text_atomic

    started = time.perf_counter()
    text = conventions_markdown()
    if args.out:
        write_text_atomic(args.out, text)
        print(f"Conventions table written to {args.out} ({time.perf_counter() - started:.1f} s).")
    else:
        print(text)
    return 0


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
    t = sub.add_parser(
        "train",
        help="train the default model and its Keras twin side by side (through model.fit) and "
             "compare every batch loss and every weight",
    )
    c = sub.add_parser(
        "conventions",
        help="measure the course's conventions against their Keras translations and print (or "
             "write) the conventions table",
    )
    c.add_argument("--out", default=None, metavar="PATH", help="write the Markdown table to PATH")
    for p in (parser, g, t):
        p.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                       help="float type of both models (default float64, for round-off-level checks)")
        p.add_argument("--seed", type=int, default=0,
                       help="seed of the data split, the initial weights and the shuffling (default 0)")
    for p in (parser, g):
        p.add_argument("--batch-size", type=int, default=None,
                       help="rows in the compared batch (default: the whole training split)")
    t.add_argument("--batch-size", type=int, default=None, help="rows per training step (default 32)")
    t.add_argument("--optimizer", default="adam",
                   help="a Keras optimizer name: sgd, rmsprop, adagrad, adadelta, adam, adamw, "
                        "adamax, nadam (default adam, with Keras's default arguments)")
    t.add_argument("--epochs", type=int, default=None,
                   help="epochs (default: enough for at least 1,000 steps)")
    t.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                   help="visit the rows in order (default: a new NumPy-drawn order each epoch)")
    t.add_argument("--save", default=None, metavar="PATH",
                   help="write the per-step records to PATH (.csv, or .parquet with pyarrow)")
    return parser


def _usage_error(message):
    print(f"scratch-vs-keras: {message}", file=sys.stderr)
    return 2


def main(argv=None):
    args = build_parser().parse_args(argv)
    if getattr(args, "batch_size", None) is not None and args.batch_size < 1:
        return _usage_error("--batch-size must be a positive integer.")
    if args.command == "train":
        from .scratch import optimizers

        if args.optimizer not in optimizers.ALL:
            return _usage_error(
                f"unknown optimizer {args.optimizer!r}; choose one of {', '.join(optimizers.ALL)}."
            )
        if args.epochs is not None and args.epochs < 1:
            return _usage_error("--epochs must be a positive integer.")
        if args.save:
            folder = os.path.dirname(os.path.abspath(args.save))
            if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
                return _usage_error(f"cannot write --save {args.save!r}: {folder} is not a writable folder.")
    if args.command == "conventions" and args.out:
        folder = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            return _usage_error(f"cannot write --out {args.out!r}: {folder} is not a writable folder.")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.command == "train":
        return _cmd_train(args)
    if args.command == "conventions":
        return _cmd_conventions(args)
    return _cmd_gradients(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
