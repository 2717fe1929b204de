"""Generate a synthetic hand dataset in the raw FreiHAND or RHD layout.

Samples are rendered in chunks by a multiprocessing pool (``imap`` keeps the
order); each worker writes its images and returns the annotations, which the
main process writes once a split is complete. Every sample depends only on
``(seed, split, index)``, so the output is identical for any worker count.
"""
import multiprocessing
import sys
import time
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ... import version
from ..hand_format import FREIHAND_NUM_VERSIONS, NUM_KEYPOINTS, RHD_TO_FREIHAND
from .label_noise import format_label_noise, parse_label_noise, perturb_xyz
from .samples import SPLITS, render_freihand_sample, render_rhd_sample
from .styles import get_style
from .writers import (prepare_output, rhd_annotation_dict,
                      write_freihand_annotations, write_freihand_images,
                      write_meta, write_rhd_annotations, write_rhd_images)

FORMATS = ('freihand', 'rhd')
# Spawn key of the label-noise generator (samples use 3-element keys).
_NOISE_KEY = (len(SPLITS), )
_MAX_CHUNK = 32


def noise_rng(seed: int) -> np.random.Generator:
    """The dataset-wide generator of the label noise."""
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=_NOISE_KEY))


def _render_chunk(task: Tuple) -> Tuple[str, int, List[Tuple[np.ndarray, ...]]]:
    """Render and write samples ``start..stop-1`` of one split."""
    fmt, split, seed, start, stop, out_dir, versions, num_split, style = task
    records, images = [], 0
    for index in range(start, stop):
        if fmt == 'freihand':
            sample = render_freihand_sample(seed, split, index, versions,
                                            style=style)
            write_freihand_images(
                out_dir, split, index, num_split, sample.images,
                sample.jpeg_qualities,
                sample.mask if split == 'training' else None)
            records.append((sample.K, sample.xyz))
            images += len(sample.images)
        else:
            sample = render_rhd_sample(seed, split, index, style=style)
            write_rhd_images(out_dir, split, index, sample.image, sample.mask,
                             sample.depth)
            records.append((sample.K, sample.xyz, sample.uv_vis))
            images += 1
    return split, images, records


class _Progress:
    """A throttled one-line progress report on stderr."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self.label, self.total, self.enabled = label, total, enabled
        self.done, self.start, self.last = 0, time.perf_counter(), 0.0

    def update(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if self.enabled and (now - self.last > 0.5 or self.done == self.total):
            self.last = now
            rate = self.done / max(now - self.start, 1e-9)
            sys.stderr.write(f'\r{self.label}: {self.done}/{self.total} images '
                             f'({rate:.0f} img/s)')
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write('\n')
            sys.stderr.flush()


def _check_int(name: str, value, minimum: int,
               maximum: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f'{name} must be an integer, got {value!r}')
    if value < minimum or (maximum is not None and value > maximum):
        bound = f'>= {minimum}' if maximum is None else \
            f'in [{minimum}, {maximum}]'
        raise ValueError(f'{name} must be {bound}, got {value}')
    return int(value)


def _tasks(fmt: str, seed: int, out_dir: str, versions: int,
           counts: Dict[str, int], chunk: int, style: str) -> List[Tuple]:
    tasks = []
    for split in SPLITS:
        n = counts[split]
        split_versions = versions if split == 'training' else 1
        for start in range(0, n, chunk):
            tasks.append((fmt, split, seed, start, min(start + chunk, n),
                          out_dir, split_versions, n, style))
    return tasks


def _write_split(fmt: str, out_dir: str, split: str, records: Sequence[Tuple],
                 models, seed: int) -> None:
    """Write one split's annotation files, noisy for training if asked."""
    n = len(records)
    points = NUM_KEYPOINTS * (1 if fmt == 'freihand' else 2)
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
    hands_xyz = xyz.reshape(2 * n, NUM_KEYPOINTS, 3)
    hands_K = np.repeat(K, 2, axis=0)
    noisy_xyz, noisy_uv = perturb_xyz(hands_xyz, hands_K, models,
                                      noise_rng(seed),
                                      np.asarray(RHD_TO_FREIHAND))
    noisy_uv_vis = uv_vis.copy()
    noisy_uv_vis[..., :2] = noisy_uv.reshape(n, points, 2)
    write_rhd_annotations(out_dir, split, K, noisy_xyz.reshape(xyz.shape),
                          noisy_uv_vis, rhd_annotation_dict(K, xyz, uv_vis))


def generate_dataset(out_dir: str, fmt: str, num: int, seed: int = 0,
                     num_eval: Optional[int] = None, versions: int = 1,
                     label_noise: str = 'none', workers: int = 1,
                     overwrite: bool = False, progress: bool = True,
                     style: str = 'full') -> Dict[str, float]:
    """Generate a synthetic dataset in a raw release layout.

    Args:
        out_dir (str): Dataset root (created if missing).
        fmt (str): ``'freihand'`` or ``'rhd'``.
        num (int): Training samples (>= 1).
        seed (int): Seed (>= 0); the output is a function of the seed alone.
        num_eval (int, optional): Evaluation samples (>= 0); default num // 4.
        versions (int): FreiHAND colour versions per training sample (1-4);
            writes ``num * versions`` training images. Must be 1 for RHD.
        label_noise (str): Training-label noise, see
            :mod:`~mmpose_mlehand.datasets.synthetic.label_noise`.
        workers (int): Worker processes (>= 1).
        overwrite (bool): Replace an earlier run's files in ``out_dir``.
        progress (bool): Print a progress line on stderr.
        style (str): Scene style, ``'full'`` (default) or ``'clean'``; see
            :mod:`~mmpose_mlehand.datasets.synthetic.styles`.

    Returns:
        dict: ``training_images``, ``evaluation_images``, ``seconds`` and
        ``images_per_s``.
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
    get_style(style)
    prepare_output(out_dir, fmt, overwrite)

    counts = {'training': num, 'evaluation': num_eval}
    total = num * versions + num_eval
    chunk = max(1, min(_MAX_CHUNK, (num + num_eval) // (4 * workers)))
    tasks = _tasks(fmt, seed, out_dir, versions, counts, chunk, style)
    records: Dict[str, list] = {split: [] for split in SPLITS}
    bar = _Progress(f'{fmt} {out_dir}', total, progress)
    start = time.perf_counter()
    # One OpenCV thread per process while the pool runs: the workers already
    # use every core, and a forked child must not inherit a live OpenCV thread
    # pool (it would deadlock), so the parent winds its pool down first.
    cv2_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    if workers == 1:
        results = map(_render_chunk, tasks)
        pool = None
    else:
        pool = multiprocessing.get_context().Pool(workers)
        results = pool.imap(_render_chunk, tasks)
    try:
        for split, images, chunk_records in results:
            records[split].extend(chunk_records)
            bar.update(images)
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        cv2.setNumThreads(cv2_threads)
        bar.close()
    for split in SPLITS:
        # No evaluation part in FreiHAND means no evaluation_*.json (as in the
        # release without its eval zip); the converter then skips it.
        if records[split] or split == 'training' or fmt == 'rhd':
            _write_split(fmt, out_dir, split, records[split], models, seed)
    write_meta(out_dir, {
        'generator': 'mmpose_mlehand.datasets.synthetic',
        'package_version': version.__version__,
        'format': fmt,
        'seed': seed,
        'num': num,
        'num_eval': num_eval,
        'versions': versions,
        'style': style,
        'label_noise': format_label_noise(models),
    })
    seconds = time.perf_counter() - start
    return {
        'training_images': num * versions,
        'evaluation_images': num_eval,
        'seconds': seconds,
        'images_per_s': total / max(seconds, 1e-9),
    }
