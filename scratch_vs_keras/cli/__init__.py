"""The ``scratch-vs-keras`` command.

Without a command it runs the main job, the headline experiment: breast-cancer data, the default
MLP, one batch's gradients and a full training run compared with the Keras twin, a report
written under ``reports/headline/`` and the verdict printed.

Options may stand before or after the command; each command takes exactly the options it uses
and refuses the others, and every input is checked (data loaded, paths probed) before anything
runs or is written. The exit status is listed in :data:`EXIT_STATUS`.
"""

import argparse
import os
import sys
import time

from .. import __version__
from .checks import check
from .options import BadInput, CHECK_CONVENTION, COMMANDS, EPILOG, EXIT_STATUS, FLAG, OPTIONS, _config

def _add_options(parser, command):
    """Every option, defaults suppressed (so only what the user typed is set, wherever it
    stands); the ones ``command`` does not use are hidden from its help and refused later."""
    for flag, dest, kwargs, commands, _ in OPTIONS:
        kwargs = dict(kwargs, dest=dest, default=argparse.SUPPRESS)
        if command == "top":
            kwargs["help"] += f" [{', '.join(sorted(c if c != 'main' else '(none)' for c in commands))}]"
        elif command not in commands:
            kwargs["help"] = argparse.SUPPRESS
        parser.add_argument(flag, **kwargs)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="scratch-vs-keras",
        description="Prove that a from-scratch NumPy MLP and its Keras twin compute the same "
                    "numbers:\ngradients, losses and weights, step by step, through model.fit.\n"
                    "In brackets after each option: the commands that take it ((none): the main "
                    "job).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_options(parser, "top")
    sub = parser.add_subparsers(
        dest="command", title="commands", metavar="[COMMAND]", description="without a command: "
        "the main job, the headline experiment (gradients + a full training run)")
    for name, text in COMMANDS.items():
        p = sub.add_parser(name, help=text, description=text, epilog=EXIT_STATUS,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if name == "run":
            p.add_argument("name", help="an experiment name (see `list`) or `all`")
            p.add_argument("question", nargs="?", default=None,
                           help="with `run faq`: one question (see `list`)")
        elif name == "check":
            p.description = f"{text}\n\n{CHECK_CONVENTION}"
            p.add_argument("file", nargs="?", metavar="FILE", help="a student's .py or .ipynb file")
        elif name == "sweep":
            p.add_argument("grid", help="a TOML grid file, or `example` (see "
                           "scratch_vs_keras/sweep/grid.py for its keys)")
        _add_options(p, name)
    return parser


def parse(argv=None):
    """The parsed command line, every option filled in; BadInput for an option the command does
    not use (before or after it)."""
    args = build_parser().parse_args(argv)
    command = args.command or "main"
    args.given = {dest for dest in FLAG if hasattr(args, dest)}
    label = "the main job" if command == "main" else f"`{command}`"
    for flag, dest, _, commands, default in OPTIONS:
        if hasattr(args, dest) and command not in commands:
            takes = [f for f, _, _, cmds, _ in OPTIONS if command in cmds]
            raise BadInput(f"{flag} does not apply to {label}; it takes "
                           f"{', '.join(takes) if takes else 'no options'}.")
        if not hasattr(args, dest):
            default = None if (dest == "out" and command in ("conventions", "questions")) else default
            setattr(args, dest, default)
    args.command = command
    args.question = getattr(args, "question", None)
    return args


def _status(result):
    return getattr(result, "status", "MATCH" if result.ok else "MISMATCH")


def _cmd_list(args, plan):
    from .. import experiments
    from ..data import dataset_names

    print("Experiments (scratch-vs-keras run NAME):")
    for name, title in experiments.describe():
        tasks = experiments.get(name).TASKS
        only = "" if tasks in (set(), experiments.ALL_TASKS) else \
            f" [{' or '.join(sorted(tasks))} targets only]"
        print(f"  {name:20s} {title}{only}")
    from ..experiments import faq

    print("\nQuestions (scratch-vs-keras run faq QUESTION; all: run faq):")
    for number, slug, title in faq.describe():
        print(f"  {slug:24s} {number}. {title}")
    print("\nData sets (--dataset NAME, or --csv PATH --target COLUMN):")
    print("  " + ", ".join(dataset_names()))
    return 0


def _data_and_model(args, optimizer):
    """The data of `gradients` and `train` and the main job's MLP for its task (16 relu -> 8 relu
    -> the task's output, L2 1e-3 on the hidden kernels)."""
    from ..experiments.common import build_model, load

    data, d = load(_config(args))
    return data, d, build_model(d, hidden=(16, 8), activation="relu", optimizer=optimizer,
                                dtype=args.dtype, seed=args.seed, l2=1e-3)


def _cmd_gradients(args, plan):
    from ..compare import compare_gradients

    started = time.perf_counter()
    data, d, model = _data_and_model(args, "sgd")
    n = min(args.batch_size or len(d.x_train), len(d.x_train))
    print(f"{data.description}\nBatch: {n} standardized training rows, {d.x_train.shape[1]} features.")
    model.summary()
    result = compare_gradients(model, d.x_train[:n], d.y_train[:n])
    print(f"\n{result}\n({time.perf_counter() - started:.1f} s)")
    return 0 if _status(result) == "MATCH" else 1


def _cmd_train(args, plan):
    import math

    from ..compare import train_side_by_side

    started = time.perf_counter()
    optimizer = args.optimizer or "adam"
    data, d, model = _data_and_model(args, optimizer)
    n = len(d.x_train)
    batch_size = min(args.batch_size or 32, n)
    steps_per_epoch = math.ceil(n / batch_size)
    epochs = args.epochs or math.ceil(1000 / steps_per_epoch)
    print(f"{data.description}\nTraining {n} rows, validation {len(d.x_test)} rows; optimizer "
          f"{optimizer}, batch size {batch_size}{' (all rows)' if batch_size == n else ''}, "
          f"{epochs} epochs ({epochs * steps_per_epoch} steps), shuffle "
          f"{'on' if args.shuffle else 'off'}, {args.dtype}.")
    run = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=batch_size,
                             shuffle=args.shuffle, validation_data=(d.x_test, d.y_test),
                             save=args.save)
    print(f"\n{run}\n({time.perf_counter() - started:.1f} s)")
    if args.save:
        print(f"Per-step records written to {args.save}.")
    return 0 if _status(run) == "MATCH" else 1


def _cmd_conventions(args, plan):
    from ..course import conventions
    from ..report_io import write_text_atomic

    if args.out:
        write_text_atomic(args.out, conventions.conventions_markdown())
        print(f"Conventions table written to {args.out}.")
    else:
        print(conventions_text(conventions.conventions_table()))
    return 0


def _cmd_questions(args, plan):
    from ..experiments import faq
    from ..report_io import write_text_atomic

    page = faq.questions_markdown()
    if args.out:
        write_text_atomic(args.out, page)
        print(f"Questions page written to {args.out}.")
    else:
        print(page)
    return 0


def conventions_text(table, width=None):
    """The conventions table for a terminal: one block per convention, wrapped to ``width``
    (default: the terminal's, at most 100 columns)."""
    import math
    import shutil
    import textwrap

    width = max(40, min(width or shutil.get_terminal_size((100, 24)).columns, 100))
    lines = []
    for row in table.to_dict("records"):
        lines += textwrap.wrap(str(row.pop("convention")), width)
        for key, value in row.items():
            if isinstance(value, float):
                value = "—" if math.isnan(value) else f"{value:.1e}"
            lines += textwrap.wrap(f"{key}: {value}", width, initial_indent="  ",
                                   subsequent_indent="      ")
        lines.append("")
    return "\n".join(lines).rstrip()


def _cmd_lessons(args, plan):
    if args.copy is not None:
        return _copy_lessons(args.copy)
    from ..lessons import LessonFailed, execute_lessons, lesson_files

    try:
        done = execute_lessons(args.out, quick_mode=args.quick, progress=True,
                               solutions=args.solutions)
    except LessonFailed as exc:
        return _fail(1, exc)
    except ModuleNotFoundError as exc:
        raise BadInput(f"the lessons need {exc.name}, which is not installed: reinstall the "
                       "package (pip install scratch_vs_keras) to get it.") from None
    for name, seconds in done:
        print(f"{name}: executed in {seconds:.1f} s")
    first = os.path.join(args.out, "lessons", done[0][0] + ".html")
    print(f"Open {first} in a browser (all lessons and reports: "
          f"{os.path.join(args.out, 'index.html')}).")
    return 0


def _copy_lessons(folder):
    from ..lessons import copy_lessons

    copies = copy_lessons(folder)
    print(f"Copied {len(copies)} lessons to {folder}: {', '.join(p.name for p in copies)}.")
    print(f"Each is a Python script (python {copies[0]}) and a notebook in jupytext's percent "
          f"format (jupytext --to notebook {copies[0]}).")
    return 0


def _cmd_run(args, plan):
    names, notes = plan
    for note in notes:
        print(note, file=sys.stderr)
    cfg = _config(args)
    if args.command == "run" and (args.jobs > 1 or args.backend == "dask"):
        from .sweep import run_experiments

        statuses = run_experiments(names, cfg, args)
    else:
        statuses = _run_one_by_one(names, cfg)
    failed = [n for n, s in statuses.items() if s != "MATCH"]
    if len(names) > 1:
        print(f"\n{len(names) - len(failed)} of {len(names)} experiments match"
              + (f"; not matched: {', '.join(f'{n} ({statuses[n]})' for n in failed)}." if failed else "."))
        where = os.path.join(args.out, "index.html")
    else:
        where = os.path.join(args.out, cfg.report_name(names[0]), "report.html")
    print(f"Open {where} in a browser.")
    return 1 if failed else 0


def _cmd_check(args, plan):
    from ..lessons.submissions import check_class, check_file

    if args.class_dir is None:
        result = check_file(args.file, args.time_limit)
        if result.status == "unusable":
            raise BadInput(f"{args.file}: {result.message}")
        print(result)
        return 0 if result.ok else 1
    from ..lessons.class_page import write_class_page

    results = check_class(args.class_dir, args.time_limit,
                          progress=lambda r: print(f"{r.name}: {r.status}", file=sys.stderr))
    page = write_class_page(results, args.class_dir, args.time_limit, args.out)
    right = sum(r.ok for r in results)
    print(f"{right} of {len(results)} submissions right. Open {page} in a browser.")
    return 0 if right == len(results) else 1


def _run_one_by_one(names, cfg):
    from tqdm.auto import tqdm

    from .. import experiments
    from ..sweep.cell import clear_keras

    statuses = {}
    with tqdm(total=len(names), unit="experiment", file=sys.stderr, leave=False,
              disable=len(names) < 2) as bar:
        for name in names:
            bar.set_description(name)
            statuses[name] = experiments.run(name, cfg).status
            if len(names) > 1:
                clear_keras()  # the last experiment's models and graphs: memory does not grow
            bar.update()
    return statuses


def _cmd_sweep(args, grid):
    from .sweep import cmd_sweep

    return cmd_sweep(args, grid)


COMMAND_RUNNERS = {"main": _cmd_run, "run": _cmd_run, "list": _cmd_list,
                   "gradients": _cmd_gradients, "train": _cmd_train,
                   "conventions": _cmd_conventions, "questions": _cmd_questions,
                   "lessons": _cmd_lessons, "check": _cmd_check, "sweep": _cmd_sweep}


def _fail(code, message):
    print(f"scratch-vs-keras: {' '.join(str(message).split())}", file=sys.stderr)
    return code


def _io_message(exc):
    where = exc.filename if exc.filename is not None else "a file"
    return f"could not read or write {where}: {exc.strerror or exc}."


def main(argv=None):
    """Run the command line ``argv``; returns the exit status (see EXIT_STATUS)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        args = parse(argv)
        plan = check(args)
        return COMMAND_RUNNERS[args.command](args, plan)
    except KeyboardInterrupt:
        return _fail(130, "interrupted.")
    except FloatingPointError as exc:  # the training diverged on both sides: nothing to compare
        return _fail(1, exc)
    except ValueError as exc:  # bad input, BadInput included, found by a check or a library
        return _fail(2, exc)
    except OSError as exc:
        return _fail(3, _io_message(exc))
