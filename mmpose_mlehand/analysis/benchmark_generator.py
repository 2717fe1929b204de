"""Measure the generator's speed (images per second, files written)."""
import tempfile
from typing import Dict, Sequence

from ..synthetic import generate_dataset


def benchmark_generator(num: int = 400, workers: Sequence[int] = (1, 2),
                        fmt: str = 'freihand',
                        seed: int = 0) -> Dict[int, float]:
    """Time :func:`generate_dataset` into a temporary folder.

    The whole run counts: rendering, JPEG/PNG writing, annotation files and
    the worker pool's start-up. No evaluation split is generated.

    Args:
        num (int): Training images per run.
        workers (sequence): Worker counts to time, one run each.
        fmt (str): ``'freihand'`` or ``'rhd'``.
        seed (int): Seed of the generated data.

    Returns:
        dict: images per second for each worker count.
    """
    rates = {}
    for count in workers:
        with tempfile.TemporaryDirectory(prefix='synthetic_bench_') as out:
            stats = generate_dataset(out, fmt, num, seed, num_eval=0,
                                     workers=count, progress=False)
        rates[count] = stats['images_per_s']
    return rates
