"""Generate a synthetic hand dataset in the raw FreiHAND or RHD layout.

Samples are rendered in chunks by a multiprocessing pool (``imap`` keeps the
order); each worker writes its images and returns the annotations, which the
main process writes once every sample is rendered. Every sample depends only on
``(seed, split, index)`` (and the style and appearance family), so the output
is identical for any worker count.

The ``hard`` family is for validation and test data only: like the held-out
family it is rendered as a data set of its own (``num_eval=0``), converted,
and only its val and test splits are used; the generator refuses it with the
training-data options (label noise, colour versions).
"""
import multiprocessing
import time
from dataclasses import asdict, dataclass
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from .. import version
from ..hand_format import FREIHAND_NUM_VERSIONS, HAND_SIDES, NUM_KEYPOINTS, RHD_TO_FREIHAND
from ..utils.progress import progress_bar
from .appearance import BAND_FAMILY, EVAL_ONLY_FAMILIES
from .label_noise import NoiseModel, format_label_noise, parse_label_noise, perturb_xyz
from .photos import available_photos
from .samples import SPLITS, check_style_family, render_freihand_sample, render_rhd_sample
from .styles import SceneStyle
from .writers import (prepare_output, rhd_annotation_dict, write_freihand_annotations,
                      write_freihand_images, write_meta, write_rhd_annotations, write_rhd_images)

FORMATS = ('freihand', 'rhd')
# Spawn key of the label-noise generator (samples use 3-element keys).
_NOISE_KEY = (len(SPLITS), )
# Samples per pool task: about _CHUNKS_PER_WORKER tasks per worker (so the
# workers finish together), at most _MAX_CHUNK samples each.
_MAX_CHUNK = 32
_CHUNKS_PER_WORKER = 4

# Per-sample labels returned by a worker: (K, xyz) for FreiHAND,
# (K, xyz, uv_vis) for RHD.
_Record = Tuple[np.ndarray, ...]


@dataclass(frozen=True)
class _Run:
    """Checked settings of one :func:`generate_dataset` call.

    Attributes:
        out_dir (str): Dataset root.
        fmt (str): ``'freihand'`` or ``'rhd'``.
        num (int): Training samples.
        seed (int): Dataset seed.
        num_eval (int): Evaluation samples.
        versions (int): FreiHAND colour versions per training sample.
        models (tuple): Parsed training-label noise models (empty for none).
        workers (int): Worker processes.
        style (str or SceneStyle): Scene style name, or a style object
            (picklable: the pool's tasks carry it).
        family (str): Appearance family.
    """

    out_dir: str
    fmt: str
    num: int
    seed: int
    num_eval: int
    versions: int
    models: Tuple[NoiseModel, ...]
    workers: int
    style: Union[str, SceneStyle]
    family: str

    @property
    def total_images(self) -> int:
        """Images the run writes (training versions plus evaluation)."""
        return self.num * self.versions + self.num_eval


def noise_rng(seed: int) -> np.random.Generator:
    """The dataset-wide generator of the label noise."""
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=_NOISE_KEY))


def _render_chunk(task: Tuple) -> Tuple[str, int, List[_Record]]:
    """Render and write samples ``start..stop-1`` of one split (in a worker).

    Args:
        task (tuple): ``(fmt, split, seed, start, stop, out_dir, versions,
            num_split, style, family)`` as built by :func:`_tasks`.

    Returns:
        tuple: the split, the number of images written and the per-sample
        labels in sample order.
    """
    (fmt, split, seed, start, stop, out_dir, versions, num_split, style,
     family) = task
    records, images = [], 0
    for index in range(start, stop):
        if fmt == 'freihand':
            sample = render_freihand_sample(seed, split, index, versions,
                                            style=style, family=family)
            write_freihand_images(
                out_dir, split, index, num_split, sample.images,
                sample.jpeg_qualities,
                sample.mask if split == 'training' else None)
            records.append((sample.K, sample.xyz))
            images += len(sample.images)
        else:
            sample = render_rhd_sample(seed, split, index, style=style,
                                       family=family)
            write_rhd_images(out_dir, split, index, sample.image, sample.mask,
                             sample.depth)
            records.append((sample.K, sample.xyz, sample.uv_vis))
            images += 1
    return split, images, records


def _check_int(name: str, value, minimum: int,
               maximum: Optional[int] = None) -> int:
    """``value`` as an int after checking its type and range.

    Args:
        name (str): Argument name, for the error message.
        value: The value to check (bools are refused).
        minimum (int): Smallest allowed value.
        maximum (int, optional): Largest allowed value; None for no limit.

    Returns:
        int: ``value`` as a Python int.

    Raises:
        TypeError: if ``value`` is not an integer.
        ValueError: if it is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f'{name} must be an integer, got {value!r}')
    if value < minimum or (maximum is not None and value > maximum):
        bound = f'>= {minimum}' if maximum is None else \
            f'in [{minimum}, {maximum}]'
        raise ValueError(f'{name} must be {bound}, got {value}')
    return int(value)


def _check_arguments(out_dir: str, fmt: str, num, seed, num_eval, versions,
                     label_noise: str, workers, style: Union[str, SceneStyle],
                     family: str = 'train') -> _Run:
    """Check the arguments of :func:`generate_dataset` before anything is written.

    Args:
        out_dir (str): Dataset root.
        fmt (str): ``'freihand'`` or ``'rhd'``.
        num (int): Training samples (>= 1).
        seed (int): Seed (>= 0).
        num_eval (int, optional): Evaluation samples (>= 0); None for
            ``num // 4``.
        versions (int): FreiHAND colour versions (1-4); 1 for RHD.
        label_noise (str): Training-label noise specification.
        workers (int): Worker processes (>= 1).
        style (str or SceneStyle): Scene style name or style object.
        family (str): Appearance family; ``'heldout'`` and ``'hard'`` need
            a style with families; ``'hard'`` (validation and test data
            only) refuses label noise and more than one version.

    Returns:
        _Run: the settings with Python ints and the parsed noise models.

    Raises:
        TypeError: if a count or the seed is not an integer, or the style is
            neither a name nor a :class:`SceneStyle`.
        ValueError: on an unknown format, style, family or noise model, a
            family the style does not support, a validation-and-test family
            with training-data options, or a value out of range.
        RuntimeError: if the style needs photographs and none of the
            family's is installed.
    """
    if fmt not in FORMATS:
        raise ValueError(f'format must be one of {FORMATS}, got {fmt!r}')
    num = _check_int('num', num, 1)
    seed = _check_int('seed', seed, 0)
    num_eval = num // 4 if num_eval is None else _check_int('num_eval',
                                                            num_eval, 0)
    versions = _check_int('versions', versions, 1, FREIHAND_NUM_VERSIONS)
    if fmt == 'rhd' and versions != 1:
        raise ValueError('versions applies to the FreiHAND format only')
    workers = _check_int('workers', workers, 1)
    models = parse_label_noise(label_noise)
    if not isinstance(style, (str, SceneStyle)):
        raise TypeError(
            f'style must be a style name (str) or a SceneStyle, got {style!r}')
    if family in EVAL_ONLY_FAMILIES and (models or versions > 1):
        # Label noise and colour versions only make training data.
        raise ValueError(
            f'family {family!r} is for validation and test data only: '
            'label noise and versions > 1 make training data; render it '
            'with neither and use its converted val and test splits')
    if check_style_family(style, family).photo_background_prob > 0:
        # A clear error before anything is written.
        available_photos(BAND_FAMILY[family])
    return _Run(out_dir, fmt, num, seed, num_eval, versions, models, workers,
                style, family)


def _tasks(fmt: str, seed: int, out_dir: str, versions: int,
           counts: Dict[str, int], chunk: int, style: Union[str, SceneStyle],
           family: str = 'train') -> List[Tuple]:
    """Pool tasks covering every sample, split by split, in sample order.

    Args:
        fmt (str): ``'freihand'`` or ``'rhd'``.
        seed (int): Dataset seed.
        out_dir (str): Dataset root.
        versions (int): Colour versions of a training sample.
        counts (dict): Samples per split.
        chunk (int): Samples per task.
        style (str or SceneStyle): Scene style name or style object.
        family (str): Appearance family.

    Returns:
        list: task tuples for :func:`_render_chunk`.
    """
    tasks = []
    for split in SPLITS:
        n = counts[split]
        split_versions = versions if split == 'training' else 1
        for start in range(0, n, chunk):
            tasks.append((fmt, split, seed, start, min(start + chunk, n),
                          out_dir, split_versions, n, style, family))
    return tasks


def _render_all(run: _Run, progress: bool) -> Dict[str, List[_Record]]:
    """Render and write every image with the worker pool; collect the labels.

    Args:
        run (_Run): The checked settings.
        progress (bool): Show a progress bar on stderr.

    Returns:
        dict: split name to its per-sample labels, in sample order.
    """
    counts = {'training': run.num, 'evaluation': run.num_eval}
    chunk = max(1, min(_MAX_CHUNK, (run.num + run.num_eval)
                       // (_CHUNKS_PER_WORKER * run.workers)))
    tasks = _tasks(run.fmt, run.seed, run.out_dir, run.versions, counts, chunk,
                   run.style, run.family)
    records: Dict[str, List[_Record]] = {split: [] for split in SPLITS}
    with progress_bar(f'{run.fmt} {run.out_dir}', run.total_images, progress,
                      unit='images') as advance:
        for split, images, chunk_records in pool_imap(_render_chunk, tasks,
                                                      run.workers):
            records[split].extend(chunk_records)
            advance(images)
    return records


def pool_imap(func: Callable, tasks: Sequence, workers: int) -> Iterator:
    """``func`` over ``tasks`` in ``workers`` processes, results in task order.

    Args:
        func (callable): A picklable module-level function of one task.
        tasks (sequence): The tasks.
        workers (int): Worker processes; 1 runs in this process.

    Yields:
        each task's result, in the order of ``tasks``.
    """
    # One OpenCV thread per process while the pool runs: the workers already
    # use every core, and a forked child must not inherit a live OpenCV thread
    # pool (it would deadlock), so the parent winds its pool down first. The
    # pool is also started before the caller's progress bar draws.
    cv2_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    pool = None
    try:
        if workers == 1:
            yield from map(func, tasks)
        else:
            pool = multiprocessing.get_context().Pool(workers)
            yield from pool.imap(func, tasks)
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        cv2.setNumThreads(cv2_threads)


def _write_split(fmt: str, out_dir: str, split: str,
                 records: Sequence[_Record], models: Sequence[NoiseModel],
                 seed: int) -> None:
    """Write one split's annotation files, noisy for training if asked.

    Args:
        fmt (str): ``'freihand'`` or ``'rhd'``.
        out_dir (str): Dataset root.
        split (str): ``'training'`` or ``'evaluation'``.
        records (sequence): The split's per-sample labels, in sample order.
        models (sequence): Training-label noise models (empty for none).
        seed (int): Dataset seed (seeds the label noise).
    """
    n = len(records)
    points = NUM_KEYPOINTS * (1 if fmt == 'freihand' else len(HAND_SIDES))
    K = np.array([r[0] for r in records]).reshape(n, 3, 3)
    xyz = np.array([r[1] for r in records]).reshape(n, points, 3)
    noisy = bool(models) and split == 'training'
    if fmt == 'freihand':
        if noisy:
            noisy_xyz, _ = perturb_xyz(xyz, K, models, noise_rng(seed))
            write_freihand_annotations(out_dir, split, K, noisy_xyz, xyz)
        else:
            write_freihand_annotations(out_dir, split, K, xyz)
        return
    uv_vis = np.array([r[2] for r in records]).reshape(n, points, 3)
    if not noisy:
        write_rhd_annotations(out_dir, split, K, xyz, uv_vis)
        return
    # Each RHD sample holds two hands (rows 0-20, 21-41) in RHD joint order.
    hands_xyz = xyz.reshape(len(HAND_SIDES) * n, NUM_KEYPOINTS, 3)
    hands_K = np.repeat(K, len(HAND_SIDES), axis=0)
    noisy_xyz, noisy_uv = perturb_xyz(hands_xyz, hands_K, models,
                                      noise_rng(seed),
                                      np.asarray(RHD_TO_FREIHAND))
    noisy_uv_vis = uv_vis.copy()
    noisy_uv_vis[..., :2] = noisy_uv.reshape(n, points, 2)
    write_rhd_annotations(out_dir, split, K, noisy_xyz.reshape(xyz.shape),
                          noisy_uv_vis, rhd_annotation_dict(K, xyz, uv_vis))


def _write_annotations(run: _Run, records: Dict[str, List[_Record]]) -> None:
    """Write the annotation files of every split and ``synthetic_meta.json``.

    Args:
        run (_Run): The checked settings.
        records (dict): Split name to its per-sample labels, in sample order.
    """
    for split in SPLITS:
        # No evaluation part in FreiHAND means no evaluation_*.json (as in the
        # release without its eval zip); the converter then skips it.
        if records[split] or split == 'training' or run.fmt == 'rhd':
            _write_split(run.fmt, run.out_dir, split, records[split],
                         run.models, run.seed)
    meta = {
        'generator': __package__,
        'package_version': version.__version__,
        'format': run.fmt,
        'seed': run.seed,
        'num': run.num,
        'num_eval': run.num_eval,
        'versions': run.versions,
        'style': run.style,
        'family': run.family,
        'label_noise': format_label_noise(run.models),
    }
    if isinstance(run.style, SceneStyle):
        # A style object (not one of STYLES' names): its name and every
        # field, so the data say what was rendered.
        meta['style'] = run.style.name
        meta['style_fields'] = asdict(run.style)
    write_meta(run.out_dir, meta)


def generate_dataset(out_dir: str, fmt: str, num: int, seed: int = 0,
                     num_eval: Optional[int] = None, versions: int = 1,
                     label_noise: str = 'none', workers: int = 1,
                     overwrite: bool = False, progress: bool = True,
                     style: Union[str, SceneStyle] = 'full',
                     family: str = 'train') -> Dict[str, float]:
    """Generate a synthetic dataset in a raw release layout.

    The arguments are checked before anything is written; then the images
    are rendered and written by the worker pool, and the annotation files
    last.

    Args:
        out_dir (str): Dataset root (created if missing).
        fmt (str): ``'freihand'`` or ``'rhd'``.
        num (int): Training samples (>= 1).
        seed (int): Seed (>= 0); the output is a function of the seed alone.
        num_eval (int, optional): Evaluation samples (>= 0); default num // 4.
        versions (int): FreiHAND colour versions per training sample (1-4);
            writes ``num * versions`` training images. Must be 1 for RHD.
        label_noise (str): Training-label noise, see
            :mod:`~mmpose_mlehand.synthetic.label_noise`.
        workers (int): Worker processes (>= 1).
        overwrite (bool): Replace an earlier run's files in ``out_dir``.
        progress (bool): Show a progress bar on stderr (``rich.progress``);
            False prints nothing.
        style (str or SceneStyle): Scene style, ``'full'`` (default),
            ``'clean'`` or ``'photo'``, or a :class:`SceneStyle` (a variant
            built with ``dataclasses.replace``; ``synthetic_meta.json`` then
            records its name and ``style_fields``); see
            :mod:`~mmpose_mlehand.synthetic.styles`.
        family (str): Appearance family, ``'train'`` (default),
            ``'heldout'`` (``photo`` only): disjoint skin tones, lights, white
            balances, JPEG qualities and backgrounds, see
            :mod:`~mmpose_mlehand.synthetic.appearance`; or ``'hard'``
            (``photo`` only, validation and test data only): the held-out
            appearance under strong light and low contrast, with closed
            hands, side views and hands turned far from upright. Recorded in
            ``synthetic_meta.json`` with the style.

    Returns:
        dict: ``training_images``, ``evaluation_images``, ``seconds`` and
        ``images_per_s``.
    """
    run = _check_arguments(out_dir, fmt, num, seed, num_eval, versions,
                           label_noise, workers, style, family)
    prepare_output(out_dir, fmt, overwrite)
    start = time.perf_counter()
    records = _render_all(run, progress)
    _write_annotations(run, records)
    seconds = time.perf_counter() - start
    return {
        'training_images': run.num * run.versions,
        'evaluation_images': run.num_eval,
        'seconds': seconds,
        'images_per_s': run.total_images / max(seconds, 1e-9),
    }
