"""Speed and size of models built from configs, measured side by side."""
import time
from typing import Dict, List

import torch
from mmengine.config import Config
from mmpose.registry import MODELS
from mmpose.testing import get_packed_inputs
from mmpose.utils import register_all_modules


def _median_seconds(fn, repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    # Kernels queued by the warm-up must not be counted in the first repeat.
    _synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        _synchronize()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def _synchronize() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def benchmark_config(config: str, device: str = 'cpu', infer_batch: int = 1,
                     train_batch: int = 8, repeats: int = 5, warmup: int = 2
                     ) -> Dict[str, float]:
    """Parameters, inference latency and training-step time of a config's model.

    The backbone's pretrained init is switched off; inputs are random images of
    the config's input size (its ``codec``).

    Args:
        config (str): Config file.
        device (str): Torch device.
        infer_batch (int): Batch size of the timed ``predict`` calls.
        train_batch (int): Batch size of the timed training steps (forward,
            backward, Adam step).
        repeats (int): Timed repetitions (the median is reported).
        warmup (int): Untimed repetitions first.

    Returns:
        dict: ``params_m`` (millions), ``infer_s`` and ``train_step_s``
        (median seconds), and ``peak_mem_mb`` on CUDA devices.
    """
    register_all_modules()
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model).to(device)
    w, h = cfg.codec['input_size']
    heatmap_size = cfg.codec.get('heatmap_size', (w // 4, h // 4))
    num_keypoints = cfg.model.head.get('num_keypoints', cfg.model.head.get(
        'num_joints', cfg.model.head.get('out_channels', 21)))

    def batch(size: int) -> dict:
        data = get_packed_inputs(size, num_keypoints=num_keypoints, img_shape=(h, w),
                                 input_size=(w, h), heatmap_size=heatmap_size,
                                 with_simcc_label=False)
        return model.data_preprocessor(data, training=True)

    results = dict(params_m=sum(p.numel() for p in model.parameters()) / 1e6)
    model.eval()
    infer_data = batch(infer_batch)
    with torch.no_grad():
        results['infer_s'] = _median_seconds(
            lambda: model(**infer_data, mode='predict'), repeats, warmup)

    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    train_data = batch(train_batch)
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()

    def train_step() -> None:
        losses = model(**train_data, mode='loss')
        optimizer.zero_grad()
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        optimizer.step()

    results['train_step_s'] = _median_seconds(train_step, repeats, warmup)
    if device.startswith('cuda'):
        results['peak_mem_mb'] = torch.cuda.max_memory_allocated() / 2**20
    return results


def ratio_table(results: Dict[str, Dict[str, float]], baseline: str) -> List[str]:
    """Text rows of each model's numbers and its ratio to the baseline's."""
    keys = [k for k in ('params_m', 'infer_s', 'train_step_s', 'peak_mem_mb')
            if k in results[baseline]]
    rows = ['config | ' + ' | '.join(f'{k} (x baseline)' for k in keys)]
    for name, numbers in results.items():
        cells = [f'{numbers[k]:.3f} ({numbers[k] / results[baseline][k]:.2f}x)' for k in keys]
        rows.append(f'{name} | ' + ' | '.join(cells))
    return rows
