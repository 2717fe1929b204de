"""The label-noise benchmark behind ``tools/run_experiments.py`` and
``tools/analyze_results.py``: presets (:mod:`.presets`), planning, data and
resumable execution (:mod:`.sweep`), one run (:mod:`.single_run`, a child
process), reading and summarising result files (:mod:`.results`) and figures
(:mod:`.figures`).

Importing this package imports neither torch nor MMPose.
"""
from .presets import (MODEL_SPECS, NOISE_LEVELS, PRESETS, ModelSpec, NoiseLevel, Preset, Recipe,
                      RunBlock)
from .sweep import finished, plan_runs, prepare_data, run_id, run_sweep

__all__ = [
    'MODEL_SPECS', 'NOISE_LEVELS', 'PRESETS', 'ModelSpec', 'NoiseLevel', 'Preset', 'Recipe',
    'RunBlock',
    'finished', 'plan_runs', 'prepare_data', 'run_id', 'run_sweep'
]
