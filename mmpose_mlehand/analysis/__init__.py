"""Measurements of speed and size: models (:mod:`.benchmark_model`, torch and
MMPose) and the synthetic-hand generator (:mod:`.benchmark_generator`, numpy
only). Import the submodule you need; this package imports neither."""
