"""Repeat a finished run in another folder and compare its figures with the
stored ones: does the result file reproduce here?

The repeat renders the run's data again and trains again from its stored spec
(model, noise, seed, budget, threads), so nothing of the first run is reused.
On the same kind of CPU a run repeats to every digit; float32 results differ
between CPUs with and without AVX-512 (by about 0.01 frame-PCK,
``docs/results.md``), so the comparison says when the two CPUs differ.

Like :mod:`.sweep`, only numpy-level imports: the run itself happens in a
child process.
"""
import json
import math
import os.path as osp
from typing import Callable, Dict, List, Optional, Tuple

from ..synthetic.styles import with_current_style
from .sweep import data_root, execute, finished, prepare_data


def repeat_spec(stored_spec: dict, work_dir: str) -> dict:
    """The stored run's spec with its data, run folder and result file under
    ``work_dir`` (laid out as a sweep's work folder)."""
    work_dir = osp.abspath(work_dir)
    spec = with_current_style(stored_spec)
    spec.update(data_root=data_root(work_dir, spec['noise'], spec['seed']),
                run_dir=osp.join(work_dir, 'runs', spec['run_id']),
                result_file=osp.join(work_dir, 'results', f'{spec["run_id"]}.json'))
    return spec


def _same(a, b) -> bool:
    """Equal as stored figures are: a NaN equals a NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def figure_differences(stored: dict, repeated: dict) -> Dict[str, Tuple[object, object]]:
    """The test metrics and validation-curve points of two result files that
    are not exactly equal.

    Args:
        stored (dict): A result file's content.
        repeated (dict): Another's, of the same run.

    Returns:
        dict: ``name -> (stored value, repeated value)``; a metric one file
        lacks has None there. Curve points are named ``val/<metric>[epoch]``
        (epochs from 1); a curve of another length differs as a whole.
    """
    differences = {}
    metrics_a, metrics_b = stored['metrics'], repeated['metrics']
    for key in sorted(metrics_a.keys() | metrics_b.keys()):
        a, b = metrics_a.get(key), metrics_b.get(key)
        if not _same(a, b):
            differences[key] = (a, b)
    curves_a, curves_b = stored.get('val_curves', {}), repeated.get('val_curves', {})
    for key in sorted(curves_a.keys() | curves_b.keys()):
        a, b = curves_a.get(key), curves_b.get(key)
        if a is None or b is None or len(a) != len(b):
            differences[f'val/{key}'] = (a, b)
            continue
        for epoch, (x, y) in enumerate(zip(a, b), start=1):
            if not _same(x, y):
                differences[f'val/{key}[{epoch}]'] = (x, y)
    return differences


def cpu_note(stored: dict, repeated: dict) -> Optional[str]:
    """A sentence when the two runs computed on CPUs with different result-changing
    instruction sets (``environment.cpu.isa``), or when the stored file does
    not say; None when both say the same."""
    cpu_a = stored.get('environment', {}).get('cpu')
    cpu_b = repeated.get('environment', {}).get('cpu')
    if cpu_b is None:
        return None
    if cpu_a is None:
        return ('the stored result records no CPU (written before 2026-12-07; '
                'docs/results.md says which kind each run used)')
    if sorted(cpu_a.get('isa', [])) != sorted(cpu_b.get('isa', [])):
        return (f'the stored run computed on {cpu_a.get("model")} '
                f'({", ".join(cpu_a.get("isa", [])) or "none of the listed"}), this one on '
                f'{cpu_b.get("model")} ({", ".join(cpu_b.get("isa", [])) or "none of the listed"})'
                ': float32 results differ between these kinds of CPU (docs/results.md)')
    return None


def repeat_run(result_file: str,
               work_dir: str,
               runner: Callable[[dict], dict] = execute,
               log: Callable[[str], None] = print) -> dict:
    """Run a finished run again under ``work_dir`` and compare.

    A repeat already finished there (same spec) is compared again, not rerun.

    Args:
        result_file (str): The stored run's result file.
        work_dir (str): Where the repeat's data, run folder and result go;
            not the stored run's own work folder.
        runner (callable): Runs one spec (default: a child process).
        log (callable): Progress output.

    Returns:
        dict: ``run_id``, ``result_file`` (the repeat's), ``differences``
        (:func:`figure_differences`), ``compared`` (how many figures were
        compared) and ``cpu_note`` (:func:`cpu_note`).

    Raises:
        ValueError: If ``result_file`` is not a result file, or the repeat
            would write over it.
        RuntimeError: If the repeat fails.
    """
    try:
        with open(result_file, encoding='utf-8') as f:
            stored = json.load(f)
        stored_spec = stored['spec']
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f'{result_file}: not a result file ({exc})') from None
    spec = repeat_spec(stored_spec, work_dir)
    if osp.abspath(spec['result_file']) == osp.abspath(result_file) or \
            spec['data_root'] == stored_spec.get('data_root'):
        raise ValueError(f'{work_dir}: the stored run\'s own work folder; repeat it in another '
                         'one, so that nothing of the first run is reused')
    if finished(spec):
        log(f'{spec["run_id"]}: repeated before in {work_dir}; comparing that repeat')
        with open(spec['result_file'], encoding='utf-8') as f:
            repeated = json.load(f)
    else:
        log(f'{spec["run_id"]}: repeating in {work_dir}')
        prepare_data(spec, log)
        repeated = runner(spec)
    differences = figure_differences(stored, repeated)
    compared = len(stored['metrics'].keys() | repeated['metrics'].keys()) + sum(
        len(v) for v in stored.get('val_curves', {}).values())
    return dict(run_id=spec['run_id'], result_file=spec['result_file'],
                differences=differences, compared=compared,
                cpu_note=cpu_note(stored, repeated))


def report_lines(outcome: dict) -> List[str]:
    """The comparison of :func:`repeat_run` as lines for the terminal."""
    differences = outcome['differences']
    if not differences:
        lines = [f'{outcome["run_id"]}: reproduced: all {outcome["compared"]} test metrics '
                 'and validation-curve points are equal']
    else:
        lines = [f'{outcome["run_id"]}: NOT reproduced: {len(differences)} of '
                 f'{outcome["compared"]} figures differ (stored -> repeated):']
        for name, (a, b) in differences.items():
            lines.append(f'  {name}: {a} -> {b}')
    if outcome['cpu_note']:
        lines.append(f'note: {outcome["cpu_note"]}')
    lines.append(f'repeat\'s result file: {outcome["result_file"]}')
    return lines
