"""The command line's vocabulary: its options, which commands take each, the exit status, and
the error raised for bad input (exit 2)."""

EXIT_STATUS = """exit status:
  0  every check matched
  1  a check did not match, or could not be checked (the first divergence is printed)
  2  bad input: an option, data set, CSV file or path that cannot be used; nothing was run or
     written, and the one-line message says what to change
  3  a file could not be read or written while running (the message names it)
"""

EPILOG = """Options may stand before or after the command; a command refuses an option it does not use.

examples:
  scratch-vs-keras                          # main job, report in reports/headline/
  scratch-vs-keras run optimizers --quick   # every optimizer, short runs
  scratch-vs-keras run tabular_tour --dtype float32
  scratch-vs-keras run headline --csv my.csv --target label   # report in reports/headline-my/
  scratch-vs-keras run faq same_seed        # one of the questions students ask
  scratch-vs-keras lessons --copy my_lessons
  scratch-vs-keras check my_mlp.py           # your gradients(W1, W2, X, Y), with evidence
  scratch-vs-keras check --class submissions/ --time-limit 5   # class page under reports/

""" + EXIT_STATUS

RUNS = {"main", "run"}  # the main job and `run NAME|all`: they write reports
DATA = RUNS | {"gradients", "train"}
PARALLEL = {"run", "sweep"}  # they fan out through scratch_vs_keras.sweep.parallel

# (flag, dest, argparse keywords, the commands that use it, default)
OPTIONS = [
    ("--dataset", "dataset", dict(metavar="NAME", help="a bundled data set (see `list`)"), DATA, None),
    ("--csv", "csv", dict(metavar="PATH", help="your own CSV file (with --target)"), DATA, None),
    ("--target", "target", dict(metavar="COLUMN", help="the target column of --csv"), DATA, None),
    ("--encoding", "encoding", dict(metavar="NAME", help="text encoding of --csv (default utf-8; "
                                    "e.g. latin-1, cp1252)"), DATA, "utf-8"),
    ("--epochs", "epochs", dict(type=int, metavar="N", help="epochs (default: each experiment's "
                                "own, usually enough for 1,000 steps)"), RUNS | {"train"}, None),
    ("--batch-size", "batch_size", dict(type=int, metavar="N", help="rows per step, at most the "
                                        "training rows (default: usually 32)"), DATA, None),
    ("--optimizer", "optimizer", dict(metavar="NAME", help="sgd, rmsprop, adagrad, adadelta, adam, "
                                      "adamw, adamax, nadam, lion, lamb, ftrl, adafactor, muon "
                                      "(default: each experiment's own)"),
     RUNS | {"train"}, None),
    ("--dtype", "dtype", dict(choices=["float64", "float32"], help="float type of both sides "
                              "(default float64, for round-off-level checks)"), DATA, "float64"),
    ("--seed", "seed", dict(type=int, metavar="N", help="seed of the data split, initial weights "
                            "and shuffling, a non-negative integer (default 0)"), DATA, 0),
    ("--quick", "quick", dict(action="store_true", help="short runs: for a first look and for "
                              "tests"), RUNS | {"lessons"}, False),
    ("--out", "out", dict(metavar="PATH", help="folder of the reports (default reports); for "
                          "`conventions` and `questions`, the Markdown file to write"),
     RUNS | {"lessons", "conventions", "questions", "check", "sweep"}, "reports"),
    ("--course", "course", dict(choices=["10", "10a"], help="wide_and_deep: the course notebook's "
                                "own network, preprocessing, loss, optimizer and batch size"),
     RUNS, None),
    ("--dropout", "dropout", dict(action="store_true", help="wide_and_deep --course 10a: the "
                                  "notebook's last model, Dropout 0.6/0.4/0.2 after the deep "
                                  "layers, 30 epochs"), RUNS, False),
    ("--jobs", "jobs", dict(type=int, metavar="N", help="run N experiments or sweep cells at "
                            "once, each in its own process (default 1)"), PARALLEL, 1),
    ("--backend", "backend", dict(choices=["joblib", "dask"], help="where parallel work runs: "
                                  "joblib processes here (default) or an existing dask cluster "
                                  "(with --scheduler)"), PARALLEL, "joblib"),
    ("--scheduler", "scheduler", dict(metavar="ADDRESS", help="the dask scheduler's address, "
                                      "e.g. tcp://10.0.0.5:8786 (with --backend dask)"),
     PARALLEL, None),
    ("--cell", "cell", dict(metavar="ID", help="run only this cell of the grid, here, and print "
                            "its verdict (the atlas lists each failing cell's command)"),
     {"sweep"}, None),
    ("--no-shuffle", "shuffle", dict(action="store_false", help="visit the rows in order"),
     {"train"}, True),
    ("--save", "save", dict(metavar="PATH", help="write the per-step records to PATH (.csv, or "
                            ".parquet with pyarrow)"), {"train"}, None),
    ("--copy", "copy", dict(metavar="DIR", help="copy the lesson files to DIR to edit (does not "
                            "overwrite)"), {"lessons"}, None),
    ("--solutions", "solutions", dict(action="store_true", help="for instructors: run the lessons "
                                      "with their exercises solved (pages NN_name-solved.html)"),
     {"lessons"}, False),
    ("--class", "class_dir", dict(metavar="DIR", help="check every submission (.py, .ipynb) in DIR, "
                                  "one process each; the class page goes under --out"), {"check"}, None),
    ("--time-limit", "time_limit", dict(type=float, metavar="S", help="seconds each submission may "
                                        "run (default 10)"), {"check"}, 10.0),
]
FLAG = {dest: flag for flag, dest, *_ in OPTIONS}

COMMANDS = {
    "list": "the experiments and data sets",
    "run": "NAME|all: run one experiment (or all) and write its report under --out",
    "gradients": "one batch: activations, loss, every gradient, NumPy vs Keras (no report)",
    "train": "a side-by-side training run through model.fit, verdict table (no report)",
    "conventions": "the course's conventions vs their Keras translations, measured",
    "questions": "the \"Questions students ask\" page (Markdown) linking each faq report",
    "lessons": "execute the bridge lessons (HTML in --out/lessons/), or --copy DIR to edit",
    "check": "FILE: check a student's own gradient function against the reference; or --class "
             "DIR: every submission, one HTML page",
    "sweep": "GRID: every cell of a TOML grid side by side (in parallel with --jobs), then the "
             "equivalence atlas under --out (GRID `example`: the grid shipped with the package)",
}

CHECK_CONVENTION = """A submission is a .py file or an .ipynb notebook that defines, in the lecture's layout,
  def gradients(W1, W2, X, Y): return grad_W1, grad_W2
with W1 (hidden, d + 1) and W2 (k, hidden + 1) holding the bias in column 0, X (N, d) one sample
per row and Y (N, k) one-hot; the gradients are shaped as W1 and W2 (or a dict "W1", "W2",
optionally with the forward pass "A1", "A2", "A3"). Top-level settings, if not the defaults:
ACTIVATION = "sigmoid" | "tanh" | "relu", COST = "quadratic" | "cross_entropy", C = 0.0 (L2,
gradient C * W without the bias), BIAS = "row" | "vector" (then gradients(W1, b1, W2, b2, X, Y)).
It is called at three random points in float64 and float32, in its own process and temporary
folder (working directory, HOME, TMPDIR), stopped at --time-limit seconds. Exit status: 0 right
(every submission right), 1 a mistake or not checked, 2 bad input, 3 a file could not be written.
"""


class BadInput(ValueError):
    """A user error found before anything runs: exit 2 with this one-line message."""


def _config(args):
    from ..experiments import Config

    return Config(dataset=args.dataset, csv=args.csv, target=args.target, epochs=args.epochs,
                  batch_size=args.batch_size, optimizer=args.optimizer, dtype=args.dtype,
                  seed=args.seed, quick=args.quick, out=args.out, encoding=args.encoding,
                  show_progress=True, question=getattr(args, "question", None),
                  course=getattr(args, "course", None), dropout=getattr(args, "dropout", False))
