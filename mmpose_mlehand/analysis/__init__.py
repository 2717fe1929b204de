"""Measurements of speed and size: models (:mod:`.benchmark_model`, torch and
MMPose), the whole detector + pose pipeline per frame (:mod:`.benchmark_pipeline`,
torch, MMPose, mmdet and ONNX Runtime) and the synthetic-hand generator
(:mod:`.benchmark_generator`, numpy only); accuracy of the whole pipeline on
annotated scenes (:mod:`.pipeline_accuracy`), optionally under colour shifts
(:mod:`.colour_shifts`). Import the submodule you need; this package imports
none of them."""
