"""Speed and memory of the method against MMPose's heatmap ResNet-50, in one run.

:func:`run_benchmark` builds both models at the same input size (random
weights unless a checkpoint is given) and measures, on the same machine and
in the same process:

- inference, with flip test on and off: batch-1 latency and batch-32
  throughput of three paths: ``eager`` (MMPose's ``model(..., mode='predict')``,
  what ``mim test`` and the inferencer run), ``fast``
  (:func:`~mmpose_mlehand.apis.fast_inference.optimize_for_inference`) and
  ``onnx`` (the export of :mod:`mmpose_mlehand.deploy` in ONNX Runtime). Every
  path starts from normalised crops and ends with keypoints in input pixels
  (the baseline's heatmaps are decoded with its codec inside the timing);
- one training step at batch 8 (MMEngine's ``model.train_step``: data
  preprocessor, forward, losses, backward, the config's optimizer wrapper)
  and, for the method where bf16 is native (CUDA, or CPUs with AVX512-BF16 /
  AMX), the same step with :class:`BF16AutocastOptimWrapper` (bf16 mixed
  precision; the baseline cannot run it, see :data:`BF16_OPTIM_WRAPPER`);
- peak memory of each measurement (CUDA: peak allocated; CPU: peak resident
  memory above the level before the measurement, sampled every 2 ms);
- the fast path's and ONNX Runtime's keypoint differences to eager fp32;
- the multiply-adds of one image's forward pass (:func:`forward_gmacs`): the
  share of the training-step ratio that no implementation can remove;
- every time as a ratio to the heatmap baseline with the same flip setting
  (> 1: slower; :func:`add_ratios`): like for like, to the baseline on the same
  path (both models run every path, the fast path with the same settings),
  and to the eager baseline; the headline ratios
  ``ratio_fastest_bs1_vs_heatmap_fastest`` (the method's fastest batch-1 path,
  with the configs' flip test setting, over the baseline's fastest),
  ``ratio_fastest_bs1_vs_heatmap_eager`` (the same path over the eager
  baseline) and ``ratio_train_step_vs_heatmap`` (the method's cheaper training
  step, as configured or in bf16 (``fastest_train_step`` says which), over the
  baseline's as configured; ``ratio_train_step_vs_heatmap_as_configured`` and
  ``_bf16`` beside it). ``machine.bf16_native`` says whether this CPU runs
  bf16 natively (the fast path and the bf16 training step use it only then).

Times are medians of the repeats after warm-up runs. ``quick=True`` swaps in
small models (the quick start's half-width ResNet-18 at 96x96 for both) and
tiny batches, for tests: its figures say nothing about the real models.
"""
import copy
import ctypes
import gc
import os
import os.path as osp
import platform
import tempfile
import threading
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METHOD = 'configs/mlehand_res50_freihand.py'
BASELINE = 'configs/baselines/heatmap-l2_res50_freihand-256x256.py'
QUICK_METHOD = 'configs/quickstart/mlehand_res18-half_synthetic-freihand-96x96.py'
QUICK_BACKBONE = 'configs/_base_/models/backbones/resnet18-half.py'
PATHS = ('eager', 'fast', 'onnx')
#: The mixed-precision training step measured for the method beside its
#: config's: MMPose 1.3.2's HeatmapHead cannot train under bf16 autocast (its
#: loss hands a bf16 tensor to NumPy), so the baseline has only its config's.
BF16_OPTIM_WRAPPER = 'BF16AutocastOptimWrapper'

#: Settings of a full run and of ``quick=True``.
FULL_SETTINGS = dict(repeats=5, warmup=2, throughput_batch=32, throughput_repeats=3,
                     throughput_warmup=1, train_batch=8)
QUICK_SETTINGS = dict(repeats=1, warmup=1, throughput_batch=4, throughput_repeats=1,
                      throughput_warmup=1, train_batch=2)


def median_seconds(fn: Callable[[], object], repeats: int, warmup: int) -> float:
    """Median wall time of ``fn`` over ``repeats`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    _synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        _synchronize()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _synchronize() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _resident_bytes() -> Optional[int]:
    try:
        with open('/proc/self/statm') as f:
            return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
    except (OSError, ValueError, IndexError):
        return None


def _release_memory() -> None:
    gc.collect()
    try:  # glibc keeps freed heap memory; hand it back so the baseline is honest.
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


class PeakMemory:
    """Peak memory of a code block, in MB: CUDA peak allocated, or on CPUs the
    peak resident memory above the level at the start (sampled every 2 ms by
    a thread; ``None`` where ``/proc`` is missing)."""

    def __init__(self, device: str):
        self.cuda = device.startswith('cuda')
        self.peak_mb: Optional[float] = None

    def __enter__(self) -> 'PeakMemory':
        _release_memory()
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self._start = torch.cuda.memory_allocated()
            return self
        self._start = _resident_bytes()
        self._peak = self._start
        self._stop = threading.Event()

        def sample() -> None:
            while not self._stop.wait(0.002):
                now = _resident_bytes()
                if now is not None and now > self._peak:
                    self._peak = now

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.cuda:
            torch.cuda.synchronize()
            self.peak_mb = (torch.cuda.max_memory_allocated() - self._start) / 2**20
            return
        self._stop.set()
        self._thread.join()
        now = _resident_bytes()
        if self._start is not None and now is not None:
            self.peak_mb = (max(self._peak, now) - self._start) / 2**20


def machine_info(device: str) -> Dict[str, object]:
    """CPU model, cores, threads and library versions of this run."""
    from mmpose_mlehand.utils.machine import cpu_model_and_flags
    from mmpose_mlehand.utils.precision import cpu_has_native_bf16
    cpu = cpu_model_and_flags()[0] or platform.processor() or platform.machine()
    info = dict(cpu=cpu, logical_cores=os.cpu_count(), torch_threads=torch.get_num_threads(),
                torch=torch.__version__, bf16_native=cpu_has_native_bf16(), device=device)
    if device.startswith('cuda'):
        info['gpu'] = torch.cuda.get_device_name()
    try:
        import onnxruntime
        info['onnxruntime'] = onnxruntime.__version__
    except ImportError:
        info['onnxruntime'] = None
    return info


def forward_gmacs(model: torch.nn.Module, input_size: Tuple[int, int]) -> float:
    """Multiply-adds of one image through ``model._forward`` (backbone and head,
    what a training step runs forward; no flip test, no decoding), in billions.

    Counted by MMEngine's ``FlopAnalyzer`` (one multiply-add counts one), so
    the two models' ratio is the work a compute-bound step cannot avoid.

    Args:
        model (nn.Module): A pose estimator (``_forward(inputs)``).
        input_size (tuple): (W, H) of the input.
    """
    from mmengine.analysis import FlopAnalyzer

    class _Forward(torch.nn.Module):
        def __init__(self, estimator: torch.nn.Module):
            super().__init__()
            self.estimator = estimator

        def forward(self, inputs: torch.Tensor):
            return self.estimator._forward(inputs)

    w, h = input_size
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        analyzer = FlopAnalyzer(_Forward(model), (torch.zeros(1, 3, h, w, device=device), ))
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        return analyzer.total() / 1e9
    finally:
        model.train(was_training)


def set_input_size(cfg: Config, input_size: Tuple[int, int]) -> Config:
    """Set a config's input size everywhere the benchmark and the export read it
    (codec, head decoder, test pipeline); heatmap codecs get heatmaps at
    input / 4."""
    w, h = input_size
    codec = copy.deepcopy(cfg.codec)
    codec['input_size'] = (w, h)
    if 'heatmap_size' in codec:
        codec['heatmap_size'] = (w // 4, h // 4)
    cfg.codec = codec
    cfg.model.head.decoder = codec
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'] == 'TopdownAffine':
            step['input_size'] = (w, h)
    return cfg


def quick_configs(repo_root: str = REPO_ROOT) -> Tuple[Config, Config]:
    """Small stand-ins for tests: the quick start's method (half-width
    ResNet-18, 96x96) and MMPose's heatmap head on the same backbone and input
    (two 128-channel deconvolutions, 24x24 heatmaps)."""
    method = Config.fromfile(osp.join(repo_root, QUICK_METHOD))
    baseline = Config.fromfile(osp.join(repo_root, BASELINE))
    backbone = Config.fromfile(osp.join(repo_root, QUICK_BACKBONE)).backbone
    baseline.model.backbone = backbone
    baseline.model.head.update(in_channels=128, deconv_out_channels=(128, 128),
                               deconv_kernel_sizes=(4, 4))
    return method, set_input_size(baseline, tuple(method.codec['input_size']))


def _packed_batch(cfg: Config, batch: int, flip_indices: Sequence[int]) -> dict:
    from mmpose.testing import get_packed_inputs
    w, h = cfg.codec['input_size']
    data = get_packed_inputs(batch, num_keypoints=len(flip_indices), img_shape=(h, w),
                             input_size=(w, h),
                             heatmap_size=cfg.codec.get('heatmap_size', (w // 4, h // 4)),
                             with_simcc_label=False)
    for sample in data['data_samples']:
        sample.set_metainfo(dict(flip_indices=list(flip_indices)))
    return data


class _OnnxRunner:
    """Times an exported graph in ONNX Runtime (plus heatmap decoding)."""

    def __init__(self, model: torch.nn.Module, flip_test: bool, tmp_dir: str, threads: int):
        from mmpose_mlehand.deploy.export import export_onnx
        from mmpose_mlehand.deploy.onnx_predictor import OnnxHandPredictor
        self.file = osp.join(tmp_dir, f'{id(model)}_{int(flip_test)}.onnx')
        export_onnx(model, self.file, flip_test=flip_test)
        self.predictor = OnnxHandPredictor(self.file, num_threads=threads)
        self.model = model

    def __call__(self, inputs: np.ndarray):
        from mmpose_mlehand.apis.fast_inference import decode_heatmaps
        outputs = self.predictor.run(inputs)
        if 'heatmaps' in outputs:
            return decode_heatmaps(self.model, outputs['heatmaps'])
        return outputs['keypoints'], outputs['scores']


def _measure_inference(model: torch.nn.Module, cfg: Config, flip_test: bool, paths: Sequence[str],
                       settings: Dict, device: str, tmp_dir: str, compile: bool,
                       log: Callable[[str], None]) -> Dict[str, Dict[str, float]]:
    from mmpose_mlehand.apis.fast_inference import (HeatmapPoseNet, build_inference_net,
                                                    decode_heatmaps, keypoint_difference,
                                                    optimize_for_inference)
    model.test_cfg['flip_test'] = flip_test
    flip_indices = model.dataset_meta['flip_indices']
    batches = {}
    for key, size in (('bs1', 1), ('bs32', settings['throughput_batch'])):
        data = model.data_preprocessor(_packed_batch(cfg, size, flip_indices), training=False)
        batches[key] = data
    eager_net = build_inference_net(model, flip_test=flip_test)
    heatmap = isinstance(eager_net, HeatmapPoseNet)

    def graph_runner(net: torch.nn.Module) -> Callable[[torch.Tensor], object]:
        def run(inputs: torch.Tensor):
            with torch.no_grad():
                out = net(inputs)
            return decode_heatmaps(model, out) if heatmap else out
        return run

    results: Dict[str, Dict[str, float]] = {}
    for path in paths:
        if path == 'eager':
            def make(data):
                def run():
                    with torch.no_grad():
                        return model(**data, mode='predict')
                return run
            runners = {k: make(d) for k, d in batches.items()}
        elif path == 'fast':
            fast_net = optimize_for_inference(eager_net, compile=compile)
            fast = graph_runner(fast_net)
            runners = {k: (lambda d=d: fast(d['inputs'])) for k, d in batches.items()}
        elif path == 'onnx':
            if device != 'cpu':
                continue
            onnx = _OnnxRunner(model, flip_test, tmp_dir, torch.get_num_threads())
            arrays = {k: d['inputs'].cpu().numpy() for k, d in batches.items()}
            runners = {k: (lambda a=a: onnx(a)) for k, a in arrays.items()}
        else:
            raise ValueError(f'unknown path {path!r}; choose from {PATHS}')
        numbers: Dict[str, float] = {}
        with PeakMemory(device) as mem:
            numbers['bs1_latency_s'] = median_seconds(runners['bs1'], settings['repeats'],
                                                      settings['warmup'])
        numbers['bs1_peak_mem_mb'] = mem.peak_mb
        with PeakMemory(device) as mem:
            seconds = median_seconds(runners['bs32'], settings['throughput_repeats'],
                                     settings['throughput_warmup'])
        numbers['throughput_img_per_s'] = settings['throughput_batch'] / seconds
        numbers['throughput_peak_mem_mb'] = mem.peak_mb
        if path == 'fast':
            # Both models' (bf16 or not, ...), so fast/fast is seen to be like for like.
            numbers['settings'] = {k: v for k, v in fast_net.fast_settings.items()}
        if not heatmap and path == 'fast':
            diff = keypoint_difference(eager_net, fast_net, [batches['bs32']['inputs']])
            numbers.update({f'keypoint_diff_{k}': v for k, v in diff.items()})
        if not heatmap and path == 'onnx':
            inputs = batches['bs32']['inputs']
            with torch.no_grad():
                ref = eager_net(inputs)[0].cpu().numpy()
            got = onnx(inputs.cpu().numpy())[0]
            numbers['keypoint_diff_max_px'] = float(np.linalg.norm(got - ref, axis=-1).max())
        results[path] = numbers
        log(f'    {path:5s} flip={flip_test!s:5s} batch 1: {numbers["bs1_latency_s"]:.4f} s, '
            f'batch {settings["throughput_batch"]}: '
            f'{numbers["throughput_img_per_s"]:.2f} img/s')
    return results


def _measure_training(cfg: Config, model: torch.nn.Module, settings: Dict, device: str,
                      optim_wrapper_type: Optional[str] = None) -> Dict[str, object]:
    """Median time of ``model.train_step`` with the config's optimizer wrapper,
    or with its type replaced by ``optim_wrapper_type``."""
    from mmengine.optim import build_optim_wrapper
    wrapper_cfg = copy.deepcopy(cfg.optim_wrapper)
    if optim_wrapper_type is not None:
        wrapper_cfg['type'] = optim_wrapper_type
    model.train()
    state = copy.deepcopy(model.state_dict())
    optim_wrapper = build_optim_wrapper(model, wrapper_cfg)
    data = _packed_batch(cfg, settings['train_batch'], model.dataset_meta['flip_indices'])
    with PeakMemory(device) as mem:
        seconds = median_seconds(lambda: model.train_step(data, optim_wrapper),
                                 settings['repeats'], settings['warmup'])
    # The next measurements start from the same weights and BatchNorm statistics.
    model.load_state_dict(state)
    model.eval()
    return dict(step_s=seconds, batch=settings['train_batch'], peak_mem_mb=mem.peak_mb,
                optim_wrapper=str(wrapper_cfg.get('type', 'OptimWrapper')),
                optimizer=str(wrapper_cfg.get('optimizer', {}).get('type')),
                fused=bool(wrapper_cfg.get('optimizer', {}).get('fused', False)))


def benchmark_model(cfg: Config, device: str = 'cpu', checkpoint: Optional[str] = None,
                    flips: Sequence[bool] = (True, False), paths: Sequence[str] = PATHS,
                    settings: Optional[Dict] = None, train: bool = True, compile: bool = False,
                    train_bf16: bool = False, log: Callable[[str], None] = print) -> Dict:
    """All measurements of one model (see the module docstring).

    Returns:
        dict: ``params_m``, ``forward_gmacs``, ``config_flip_test``, ``inference`` (``flip`` /
        ``noflip`` -> path -> ``bs1_latency_s``, ``throughput_img_per_s``,
        peak memories, keypoint differences), ``train`` (``step_s``,
        ``peak_mem_mb``, ``optim_wrapper``, ...: the config's training step)
        and, with ``train_bf16``, ``train_bf16`` (the same step under
        :data:`BF16_OPTIM_WRAPPER`).
    """
    from mmpose_mlehand.apis.predictor import load_model
    settings = dict(settings or FULL_SETTINGS)
    cfg = copy.deepcopy(cfg)
    model = load_model(cfg, checkpoint, device)
    input_size = tuple(cfg.codec['input_size'])
    result = dict(params_m=sum(p.numel() for p in model.parameters()) / 1e6,
                  forward_gmacs=forward_gmacs(model, input_size),
                  config_flip_test=bool(cfg.model.get('test_cfg', {}).get('flip_test', False)),
                  input_size=list(input_size), inference={})
    log(f'    forward pass: {result["forward_gmacs"]:.2f} G multiply-adds per image')
    with tempfile.TemporaryDirectory() as tmp_dir:
        for flip in flips:
            result['inference']['flip' if flip else 'noflip'] = _measure_inference(
                model, cfg, flip, paths, settings, device, tmp_dir, compile, log)
    model.test_cfg['flip_test'] = result['config_flip_test']
    if train:
        result['train'] = _measure_training(cfg, model, settings, device)
        log(f'    train step batch {settings["train_batch"]}: {result["train"]["step_s"]:.3f} s')
        if train_bf16:
            result['train_bf16'] = _measure_training(cfg, model, settings, device,
                                                     BF16_OPTIM_WRAPPER)
            log(f'    train step batch {settings["train_batch"]}, bf16 autocast: '
                f'{result["train_bf16"]["step_s"]:.3f} s')
    return result


def add_ratios(results: Dict) -> Dict:
    """Ratios of both models' figures to the heatmap baseline's, and the
    headline ratios (written into ``results``, which is returned).

    Times are compared with the same flip setting; throughput as time per
    image (baseline img/s over the model's). Per model, flip setting and path
    ``ratios`` gets two references:

    - like for like, the baseline on the same path (eager/eager, fast/fast,
      ONNX/ONNX): ``<model>.<flip>.<path>.bs1_latency_same_path`` and
      ``.throughput_time_per_img_same_path`` (only where the baseline was
      timed on that path);
    - the eager baseline (what ``mim test`` runs):
      ``<model>.<flip>.<path>.bs1_latency`` and ``.throughput_time_per_img``.

    Headlines, with the method's config flip setting and ``_flip`` /
    ``_noflip`` variants: ``ratio_fastest_bs1_vs_heatmap_fastest`` (the
    method's fastest batch-1 path over the baseline's fastest; the paths in
    ``fastest_bs1_path`` and ``heatmap_fastest_bs1_path``) and
    ``ratio_fastest_bs1_vs_heatmap_eager`` (the same method path over the
    eager baseline); ``ratio_train_step_vs_heatmap`` and its variants.
    """
    base = results['models']['heatmap']
    ratios: Dict[str, float] = {}
    fastest: Dict[Tuple[str, str], Tuple[str, float]] = {}
    for name, model in results['models'].items():
        ratios[f'{name}.forward_gmacs'] = model['forward_gmacs'] / base['forward_gmacs']
        for flip, paths in model['inference'].items():
            base_paths = base['inference'][flip]
            ref = base_paths.get('eager')  # absent when run with --paths fast onnx
            for path, numbers in paths.items():
                prefix = f'{name}.{flip}.{path}'
                if ref is not None:
                    ratios[f'{prefix}.bs1_latency'] = (numbers['bs1_latency_s'] /
                                                       ref['bs1_latency_s'])
                    ratios[f'{prefix}.throughput_time_per_img'] = (
                        ref['throughput_img_per_s'] / numbers['throughput_img_per_s'])
                if path in base_paths:
                    same = base_paths[path]
                    ratios[f'{prefix}.bs1_latency_same_path'] = (numbers['bs1_latency_s'] /
                                                                 same['bs1_latency_s'])
                    ratios[f'{prefix}.throughput_time_per_img_same_path'] = (
                        same['throughput_img_per_s'] / numbers['throughput_img_per_s'])
            path = min(paths, key=lambda p: paths[p]['bs1_latency_s'])
            fastest[(name, flip)] = (path, paths[path]['bs1_latency_s'])
        if 'train' in model and 'train' in base:
            ratios[f'{name}.train_step'] = model['train']['step_s'] / base['train']['step_s']
            if 'train_bf16' in model:
                ratios[f'{name}.train_step_bf16'] = (model['train_bf16']['step_s'] /
                                                     base['train']['step_s'])
            if model['train']['peak_mem_mb'] and base['train']['peak_mem_mb']:
                ratios[f'{name}.train_peak_mem'] = (model['train']['peak_mem_mb'] /
                                                    base['train']['peak_mem_mb'])
    results['ratios'] = ratios
    method = results['models']['method']
    flip_key = 'flip' if method['config_flip_test'] else 'noflip'
    for key, suffix in ((flip_key, ''), ('flip', '_flip'), ('noflip', '_noflip')):
        if ('method', key) not in fastest:
            continue
        path, seconds = fastest[('method', key)]
        base_path, base_seconds = fastest[('heatmap', key)]
        results[f'ratio_fastest_bs1_vs_heatmap_fastest{suffix}'] = seconds / base_seconds
        if f'method.{key}.{path}.bs1_latency' in ratios:
            results[f'ratio_fastest_bs1_vs_heatmap_eager{suffix}'] = ratios[
                f'method.{key}.{path}.bs1_latency']
        results[f'fastest_bs1_path{suffix}'] = path
        results[f'heatmap_fastest_bs1_path{suffix}'] = base_path
    results['ratio_fastest_bs1_flip_test'] = flip_key == 'flip'
    steps = {mode: ratios[key] for mode, key in (('as_configured', 'method.train_step'),
                                                 ('bf16', 'method.train_step_bf16'))
             if key in ratios}
    for mode, ratio in steps.items():
        results[f'ratio_train_step_vs_heatmap_{mode}'] = ratio
    if steps:
        mode = min(steps, key=steps.get)
        results['ratio_train_step_vs_heatmap'] = steps[mode]
        results['fastest_train_step'] = mode
    return results


def run_benchmark(method: Optional[Config] = None, baseline: Optional[Config] = None,
                  device: str = 'cpu', quick: bool = False, checkpoint: Optional[str] = None,
                  flips: Sequence[bool] = (True, False), paths: Sequence[str] = PATHS,
                  settings: Optional[Dict] = None, input_size: Optional[Tuple[int, int]] = None,
                  train: bool = True, compile: bool = False,
                  train_bf16: Optional[bool] = None,
                  log: Callable[[str], None] = print) -> Dict:
    """Measure the method and the heatmap baseline; see the module docstring.

    Args:
        method (Config, optional): Method config; default :data:`METHOD`
            (:data:`QUICK_METHOD`-based with ``quick``).
        baseline (Config, optional): Heatmap baseline config; default
            :data:`BASELINE`.
        device (str): ``cpu`` or ``cuda``; ONNX Runtime is measured on CPUs.
        quick (bool): Small models and batches, for tests.
        checkpoint (str, optional): Trained weights of the method (the fast
            path's accuracy cost is then measured on them).
        flips (Sequence[bool]): Flip test settings to measure.
        paths (Sequence[str]): Inference paths among :data:`PATHS`.
        settings (dict, optional): Overrides of :data:`FULL_SETTINGS`.
        input_size (tuple, optional): (w, h) for both models; default the
            configs' (which must agree).
        train (bool): Also time the training step.
        compile (bool): ``torch.compile`` the fast path.
        train_bf16 (bool, optional): Also time the method's training step
            under :data:`BF16_OPTIM_WRAPPER`; default: where bf16 is native
            (CUDA, or a CPU with native bf16).
        log (callable): Progress lines.

    Returns:
        dict: ``machine``, ``settings``, ``models`` (``heatmap``, ``method``:
        :func:`benchmark_model`), ``ratios`` and the headline ratios
        (:func:`add_ratios`).
    """
    import mmpose_mlehand.plugin  # noqa: F401
    if quick:
        quick_method, quick_baseline = quick_configs()
        method = method or quick_method
        baseline = baseline or quick_baseline
    method = method or Config.fromfile(osp.join(REPO_ROOT, METHOD))
    baseline = baseline or Config.fromfile(osp.join(REPO_ROOT, BASELINE))
    if input_size is not None:
        method, baseline = set_input_size(method, input_size), set_input_size(
            baseline, input_size)
    if tuple(method.codec['input_size']) != tuple(baseline.codec['input_size']):
        raise ValueError(f"input sizes differ: method {method.codec['input_size']}, "
                         f"baseline {baseline.codec['input_size']}")
    if train_bf16 is None:
        from mmpose_mlehand.utils.precision import cpu_has_native_bf16
        train_bf16 = device.startswith('cuda') or cpu_has_native_bf16()
    merged = dict(QUICK_SETTINGS if quick else FULL_SETTINGS)
    merged.update(settings or {})
    results = dict(machine=machine_info(device),
                   settings=dict(merged, quick=quick, flips=list(flips), paths=list(paths),
                                 input_size=list(method.codec['input_size']),
                                 checkpoint=checkpoint, compile=compile,
                                 train_bf16=bool(train and train_bf16)),
                   models={})
    for name, cfg, ckpt in (('heatmap', baseline, None), ('method', method, checkpoint)):
        log(f'measuring {name} ...')
        torch.manual_seed(0)
        results['models'][name] = benchmark_model(cfg, device, ckpt, flips, paths, merged, train,
                                                  compile, train_bf16 and name == 'method', log)
    return add_ratios(results)


def summary_rows(results: Dict) -> List[str]:
    """A Markdown table of the results: one row per model, flip setting and
    path (each time first over the baseline's on the same path, then over the
    eager baseline's), then the training step."""
    ratios = results['ratios']
    batch = results['settings']['throughput_batch']

    def times(key: str) -> str:
        return f'{ratios[key]:.2f}x' if key in ratios else '-'

    rows = [f'| model | flip test | path | batch 1 latency (s) | vs baseline, same path | '
            f'vs eager baseline | batch {batch} throughput (img/s) | time per image vs '
            'baseline, same path | vs eager baseline | peak memory batch 1 / batch '
            f'{batch} (MB) |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for name, model in results['models'].items():
        for flip, paths in model['inference'].items():
            for path, n in paths.items():
                prefix = f'{name}.{flip}.{path}'
                mem = ' / '.join('-' if n[k] is None else f'{n[k]:.0f}'
                                 for k in ('bs1_peak_mem_mb', 'throughput_peak_mem_mb'))
                rows.append(
                    f'| {name} | {"on" if flip == "flip" else "off"} | {path} | '
                    f'{n["bs1_latency_s"]:.4f} | {times(prefix + ".bs1_latency_same_path")} | '
                    f'{times(prefix + ".bs1_latency")} | {n["throughput_img_per_s"]:.2f} | '
                    f'{times(prefix + ".throughput_time_per_img_same_path")} | '
                    f'{times(prefix + ".throughput_time_per_img")} | {mem} |')
    rows += ['', '| model | optimizer wrapper | training step (s) | peak memory (MB) | '
             'optimizer |', '| --- | --- | --- | --- | --- |']
    for name, model in results['models'].items():
        for key, suffix in (('train', ''), ('train_bf16', '_bf16')):
            if key in model:
                t = model[key]
                ratio = ratios.get(f'{name}.train_step{suffix}', 1.0)
                mem = '-' if t['peak_mem_mb'] is None else f'{t["peak_mem_mb"]:.0f}'
                rows.append(f'| {name} | {t["optim_wrapper"]} | {t["step_s"]:.3f} '
                            f'({ratio:.2f}x) | {mem} | '
                            f'{t["optimizer"]}{" (fused)" if t["fused"] else ""} |')
    return rows
