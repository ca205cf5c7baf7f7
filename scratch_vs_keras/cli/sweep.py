"""``scratch-vs-keras sweep GRID`` and the parallel path of ``run all --jobs N``: both fan out
through :func:`scratch_vs_keras.sweep.parallel.run_parallel`."""

import os
import sys


def cmd_sweep(args, grid):
    from ..sweep import read_results, reproduce_command, results_path, run_sweep
    from ..sweep.atlas import atlas_report
    from ..report import write_report

    if args.cell is not None:
        return _one_cell(grid.by_id()[args.cell])
    os.makedirs(args.out, exist_ok=True)
    path = results_path(grid, args.out)
    before = len(read_results(path))
    print(f"Sweep {grid.name}: {len(grid.cells)} cells; results in {path}"
          + (f" ({before} lines there already: finished cells are skipped)." if before else "."))
    with _bar(len(grid.cells), "cell") as bar:
        bar.update(len(grid.cells) - sum(1 for _ in _todo(grid, path)))
        records, ran = run_sweep(grid, path, jobs=args.jobs, backend=args.backend,
                                 scheduler=args.scheduler, progress=lambda r: _arrived(bar, r))
    report = atlas_report(grid, records, lambda r: reproduce_command(grid, r["settings"]),
                          settings={"grid": grid.path, "backend": args.backend, "jobs": args.jobs})
    folder = write_report(report, args.out)
    counts = {s: sum(r["status"] == s for r in records) for s in ("MATCH", "MISMATCH", "ERROR", "TIMEOUT")}
    print(f"{ran} cells ran now, {len(records) - ran} were already done: "
          + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + f". Verdict: {report.status}.")
    if report.divergence:
        print(f"Where: {report.divergence}")
    print(f"Open {os.path.join(folder, 'report.html')} in a browser.")
    return 0 if report.status == "MATCH" else 1


def _todo(grid, path):
    from ..sweep import read_results
    from ..sweep.grid import cell_key

    done = read_results(path)
    return (c for c in grid.cells if cell_key(c) not in done)


def _arrived(bar, record):
    bar.update()
    if record["status"] != "MATCH":
        bar.write(f"{record['status']}: {record['cell']}: {record['where'] or record['message']}",
                  file=sys.stderr)


def _bar(total, unit):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True)


def _one_cell(cell):
    from ..sweep.cell import train_cell
    from ..sweep.grid import cell_id

    print(f"Cell {cell_id(cell)}: {cell['epochs']} epoch(s), batch {cell['batch_size']}, "
          f"rows {cell['rows'] or 'all'}.")
    run = train_cell(cell)
    print(run)
    return 0 if run.ok else 1


def run_experiments(names, cfg, args):
    """``run all`` through the parallel path: each experiment in a worker, its printed verdict
    shown as it finishes; ``{name: status}`` (ERROR with the message for one that crashed)."""
    from dataclasses import replace

    from ..sweep import run_experiment
    from ..sweep.parallel import run_parallel

    tasks = {name: (name, replace(cfg, show_progress=False)) for name in names}
    statuses = {}
    with _bar(len(names), "experiment") as bar:
        for outcome in run_parallel(run_experiment, tasks, jobs=args.jobs, backend=args.backend,
                                    scheduler=args.scheduler):
            if outcome.status == "done":
                statuses[outcome.key], text = outcome.value
                bar.write(text.rstrip("\n"), file=sys.stdout)
            else:
                statuses[outcome.key] = outcome.status.upper()
                bar.write(f"{outcome.key}: {outcome.message}", file=sys.stderr)
            bar.update()
    return {name: statuses[name] for name in names}
