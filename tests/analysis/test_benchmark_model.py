import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmpose_mlehand.analysis.benchmark_model import PATHS, add_ratios, forward_gmacs, summary_rows


def fake_results(method_flip_test=True, bf16_step_s=3.0):
    def paths(bs1, ips, factor=1.0):
        return {p: dict(bs1_latency_s=bs1 * f * factor, throughput_img_per_s=ips / (f * factor),
                        bs1_peak_mem_mb=10.0, throughput_peak_mem_mb=20.0)
                for p, f in zip(PATHS, (1.0, 0.5, 0.25))}
    return dict(
        settings=dict(throughput_batch=32),
        models=dict(
            heatmap=dict(config_flip_test=True, forward_gmacs=4.0,
                         inference=dict(flip=paths(0.4, 10.0), noflip=paths(0.2, 20.0)),
                         train=dict(step_s=5.0, peak_mem_mb=1000.0, optimizer='Adam',
                                    fused=False, optim_wrapper='OptimWrapper')),
            method=dict(config_flip_test=method_flip_test, forward_gmacs=7.0,
                        inference=dict(flip=paths(0.8, 5.0, 1.2), noflip=paths(0.4, 10.0)),
                        train=dict(step_s=7.0, peak_mem_mb=1500.0, optimizer='Adam',
                                   fused=True, optim_wrapper='OptimWrapper'),
                        train_bf16=dict(step_s=bf16_step_s, peak_mem_mb=900.0,
                                        optimizer='Adam', fused=True,
                                        optim_wrapper='BF16AutocastOptimWrapper'))))


def test_ratios_divide_by_the_eager_baseline_with_the_same_flip_setting():
    results = add_ratios(fake_results())
    ratios = results['ratios']
    assert ratios['heatmap.flip.eager.bs1_latency'] == 1.0
    assert ratios['method.flip.eager.bs1_latency'] == pytest.approx(0.8 * 1.2 / 0.4)
    assert ratios['method.flip.onnx.bs1_latency'] == pytest.approx(0.8 * 1.2 * 0.25 / 0.4)
    assert ratios['method.noflip.fast.bs1_latency'] == pytest.approx(0.4 * 0.5 / 0.2)
    # Throughput as time per image: baseline img/s over the path's img/s.
    assert ratios['method.flip.fast.throughput_time_per_img'] == pytest.approx(
        10.0 / (5.0 / (0.5 * 1.2)))
    assert ratios['method.train_step'] == pytest.approx(1.4)
    assert ratios['method.forward_gmacs'] == pytest.approx(1.75)
    assert ratios['method.train_peak_mem'] == pytest.approx(1.5)
    # Headline: the method's fastest batch-1 path with the config's flip setting.
    assert results['ratio_fastest_bs1_vs_heatmap_eager'] == pytest.approx(0.8 * 1.2 * 0.25 / 0.4)
    assert results['fastest_bs1_path'] == 'onnx' and results['ratio_fastest_bs1_flip_test']
    assert results['ratio_fastest_bs1_vs_heatmap_eager_noflip'] == pytest.approx(0.5)
    # Training headline: the cheaper of the config's step (1.4x) and bf16's (0.6x).
    assert ratios['method.train_step_bf16'] == pytest.approx(0.6)
    assert results['ratio_train_step_vs_heatmap_as_configured'] == pytest.approx(1.4)
    assert results['ratio_train_step_vs_heatmap_bf16'] == pytest.approx(0.6)
    assert results['ratio_train_step_vs_heatmap'] == pytest.approx(0.6)
    assert results['fastest_train_step'] == 'bf16'
    slow_bf16 = add_ratios(fake_results(bf16_step_s=8.0))
    assert slow_bf16['ratio_train_step_vs_heatmap'] == pytest.approx(1.4)
    assert slow_bf16['fastest_train_step'] == 'as_configured'
    without_flip = add_ratios(fake_results(method_flip_test=False))
    assert without_flip['ratio_fastest_bs1_vs_heatmap_eager'] == pytest.approx(0.5)
    assert not without_flip['ratio_fastest_bs1_flip_test']
    rows = summary_rows(results)
    # Like for like first (onnx/onnx: 0.24 / 0.1 s), then over the eager baseline.
    assert ('| method | on | onnx | 0.2400 | 2.40x | 0.60x | 16.67 | 2.40x | 0.60x | 10 / 20 |'
            in rows)
    assert '| method | OptimWrapper | 7.000 (1.40x) | 1500 | Adam (fused) |' in rows
    assert ('| method | BF16AutocastOptimWrapper | 3.000 (0.60x) | 900 | Adam (fused) |'
            in rows)


def hand_made_results(paths=PATHS):
    """Batch-1 latency (s) and throughput (img/s) per model, flip setting and
    path, chosen so that the two models' fastest paths differ with flip test."""
    times = dict(
        heatmap=dict(flip=dict(eager=(0.40, 10.0), fast=(0.20, 25.0), onnx=(0.18, 20.0)),
                     noflip=dict(eager=(0.20, 20.0), fast=(0.10, 50.0), onnx=(0.16, 40.0))),
        method=dict(flip=dict(eager=(0.60, 8.0), fast=(0.30, 16.0), onnx=(0.50, 10.0)),
                    noflip=dict(eager=(0.30, 16.0), fast=(0.12, 40.0), onnx=(0.24, 20.0))))
    models = {}
    for name, flips in times.items():
        inference = {flip: {path: dict(bs1_latency_s=bs1, throughput_img_per_s=ips,
                                       bs1_peak_mem_mb=None, throughput_peak_mem_mb=None)
                            for path, (bs1, ips) in by_path.items() if path in paths}
                     for flip, by_path in flips.items()}
        models[name] = dict(config_flip_test=True, forward_gmacs=1.0, inference=inference)
    return dict(settings=dict(throughput_batch=32), models=models)


def test_like_for_like_ratios_divide_by_the_baseline_on_the_same_path():
    results = add_ratios(hand_made_results())
    ratios = results['ratios']
    expected = {
        # method / heatmap batch-1 latency on the same path, same flip setting.
        'flip.eager.bs1_latency_same_path': 0.60 / 0.40,
        'flip.fast.bs1_latency_same_path': 0.30 / 0.20,
        'flip.onnx.bs1_latency_same_path': 0.50 / 0.18,
        'noflip.eager.bs1_latency_same_path': 0.30 / 0.20,
        'noflip.fast.bs1_latency_same_path': 0.12 / 0.10,
        'noflip.onnx.bs1_latency_same_path': 0.24 / 0.16,
        # Time per image: heatmap img/s over method img/s on the same path.
        'flip.eager.throughput_time_per_img_same_path': 10.0 / 8.0,
        'flip.fast.throughput_time_per_img_same_path': 25.0 / 16.0,
        'flip.onnx.throughput_time_per_img_same_path': 20.0 / 10.0,
        'noflip.eager.throughput_time_per_img_same_path': 20.0 / 16.0,
        'noflip.fast.throughput_time_per_img_same_path': 50.0 / 40.0,
        'noflip.onnx.throughput_time_per_img_same_path': 40.0 / 20.0,
        # Still there: every path over the eager baseline.
        'flip.onnx.bs1_latency': 0.50 / 0.40,
        'noflip.fast.throughput_time_per_img': 20.0 / 40.0,
    }
    for key, value in expected.items():
        assert ratios['method.' + key] == pytest.approx(value), key
    for flip in ('flip', 'noflip'):
        for path in PATHS:
            assert ratios[f'heatmap.{flip}.{path}.bs1_latency_same_path'] == 1.0
    # Flip test on (the configs'): the method's fastest is fast (0.30 s), the
    # baseline's ONNX Runtime (0.18 s); over the eager baseline (0.40 s) 0.75.
    assert results['ratio_fastest_bs1_vs_heatmap_fastest'] == pytest.approx(0.30 / 0.18)
    assert results['fastest_bs1_path'] == 'fast'
    assert results['heatmap_fastest_bs1_path'] == 'onnx'
    assert results['ratio_fastest_bs1_vs_heatmap_eager'] == pytest.approx(0.75)
    assert results['ratio_fastest_bs1_vs_heatmap_fastest_flip'] == pytest.approx(0.30 / 0.18)
    # Without flip test both fastest paths are fast: 0.12 / 0.10.
    assert results['ratio_fastest_bs1_vs_heatmap_fastest_noflip'] == pytest.approx(1.2)
    assert results['fastest_bs1_path_noflip'] == 'fast'
    assert results['heatmap_fastest_bs1_path_noflip'] == 'fast'
    assert results['ratio_fastest_bs1_vs_heatmap_eager_noflip'] == pytest.approx(0.6)
    rows = summary_rows(results)
    assert '| method | on | onnx | 0.5000 | 2.78x | 1.25x | 10.00 | 2.00x | 1.00x | - / - |' in rows

    # Timed without the eager path: like for like only, no eager headline.
    no_eager = add_ratios(hand_made_results(paths=('fast', 'onnx')))
    assert 'method.flip.fast.bs1_latency' not in no_eager['ratios']
    assert no_eager['ratios']['method.flip.onnx.bs1_latency_same_path'] == pytest.approx(
        0.50 / 0.18)
    assert no_eager['ratio_fastest_bs1_vs_heatmap_fastest'] == pytest.approx(0.30 / 0.18)
    assert 'ratio_fastest_bs1_vs_heatmap_eager' not in no_eager

    # A path the baseline was not timed on gets no like-for-like ratio.
    partial = hand_made_results()
    for flip in ('flip', 'noflip'):
        del partial['models']['heatmap']['inference'][flip]['onnx']
    partial = add_ratios(partial)
    assert 'method.flip.onnx.bs1_latency_same_path' not in partial['ratios']
    assert partial['ratios']['method.flip.onnx.bs1_latency'] == pytest.approx(0.50 / 0.40)
    assert partial['heatmap_fastest_bs1_path'] == 'fast'
    assert partial['ratio_fastest_bs1_vs_heatmap_fastest'] == pytest.approx(1.5)
    assert '| method | on | onnx | 0.5000 | - | 1.25x | 10.00 | - | 1.00x | - / - |' in (
        summary_rows(partial))


def test_quick_benchmark_writes_every_field(repo_root, tmp_path):
    out = str(tmp_path / 'bench.json')
    proc = subprocess.run([sys.executable, osp.join(repo_root, 'tools/benchmark.py'), '--quick',
                           '--json', out], cwd=repo_root, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out) as f:
        results = json.load(f)
    assert results['settings']['quick'] and results['machine']['logical_cores'] >= 1
    for name in ('heatmap', 'method'):
        model = results['models'][name]
        assert model['params_m'] > 0 and model['input_size'] == [96, 96]
        assert model['forward_gmacs'] > 0
        assert results['ratios'][f'{name}.forward_gmacs'] == pytest.approx(
            model['forward_gmacs'] / results['models']['heatmap']['forward_gmacs'])
        for flip in ('flip', 'noflip'):
            for path in PATHS:
                numbers = model['inference'][flip][path]
                assert numbers['bs1_latency_s'] > 0 and numbers['throughput_img_per_s'] > 0
                assert numbers['bs1_peak_mem_mb'] is not None
                assert numbers['throughput_peak_mem_mb'] is not None
                for key in ('bs1_latency', 'throughput_time_per_img'):
                    assert results['ratios'][f'{name}.{flip}.{path}.{key}'] > 0
        assert model['train']['step_s'] > 0 and model['train']['peak_mem_mb'] is not None
    method = results['models']['method']['inference']
    for flip in ('flip', 'noflip'):
        # The fast path (folded BatchNorm, channels-last, bf16 where native) and
        # ONNX Runtime, against eager fp32 on the same inputs.
        assert method[flip]['fast']['keypoint_diff_max_px'] < 3.0
        assert method[flip]['onnx']['keypoint_diff_max_px'] < 1e-3
    baseline = results['models']['heatmap']['inference']
    for flip in ('flip', 'noflip'):
        for path in PATHS:
            # Like for like: the baseline is timed on every path too.
            ours, theirs = method[flip][path], baseline[flip][path]
            assert results['ratios'][f'method.{flip}.{path}.bs1_latency_same_path'] == (
                pytest.approx(ours['bs1_latency_s'] / theirs['bs1_latency_s']))
            assert results['ratios'][
                f'method.{flip}.{path}.throughput_time_per_img_same_path'] == pytest.approx(
                    theirs['throughput_img_per_s'] / ours['throughput_img_per_s'])
        # Both fast paths with the same settings (bf16 where native, for both).
        assert baseline[flip]['fast']['settings']['bf16'] == method[flip]['fast']['settings'][
            'bf16']
    assert isinstance(results['machine']['bf16_native'], bool)
    flip = 'flip' if results['ratio_fastest_bs1_flip_test'] else 'noflip'
    best = min(p['bs1_latency_s'] for p in method[flip].values())
    assert results['ratio_fastest_bs1_vs_heatmap_eager'] == pytest.approx(
        best / baseline[flip]['eager']['bs1_latency_s'])
    base_path = results['heatmap_fastest_bs1_path']
    assert baseline[flip][base_path]['bs1_latency_s'] == min(
        p['bs1_latency_s'] for p in baseline[flip].values())
    assert results['ratio_fastest_bs1_vs_heatmap_fastest'] == pytest.approx(
        best / baseline[flip][base_path]['bs1_latency_s'])
    assert method[flip][results['fastest_bs1_path']]['bs1_latency_s'] == best
    steps = {'as_configured': results['models']['method']['train']['step_s']}
    if results['settings']['train_bf16']:
        steps['bf16'] = results['models']['method']['train_bf16']['step_s']
        assert results['models']['method']['train_bf16']['optim_wrapper'] == (
            'BF16AutocastOptimWrapper')
    assert 'train_bf16' not in results['models']['heatmap']
    fastest = min(steps, key=steps.get)
    assert results['fastest_train_step'] == fastest
    assert results['ratio_train_step_vs_heatmap'] == pytest.approx(
        steps[fastest] / results['models']['heatmap']['train']['step_s'])
    assert 'ratio_fastest_bs1_vs_heatmap_eager' in proc.stdout
    assert 'ratio_fastest_bs1_vs_heatmap_fastest' in proc.stdout


def test_forward_gmacs_counts_the_multiply_adds_of_one_image():
    class OneConv(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3, padding=1, bias=False)

        def _forward(self, inputs):
            return self.conv(inputs)

    model = OneConv().train()
    # 8 output channels x 3 input channels x 3x3 taps at each of 12 x 10 pixels.
    assert forward_gmacs(model, (12, 10)) * 1e9 == pytest.approx(8 * 3 * 9 * 12 * 10)
    assert model.training  # restored
