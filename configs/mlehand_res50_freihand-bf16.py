# The method (mlehand_res50_freihand.py) trained with bf16 mixed precision:
# BF16AutocastOptimWrapper runs convolutions and matrix products in bf16 and
# keeps the heatmap logits, sigmas, integral regression and MLELoss (its flows)
# in float32, as are parameters, gradients and Adam's state. On CPUs with
# native BF16 (AVX512-BF16 or AMX) a training step costs about half of
# float32's (README, "Speed"); on GPUs it is MMEngine's AMP without a loss scaler.
_base_ = ['./mlehand_res50_freihand.py']

optim_wrapper = dict(type='BF16AutocastOptimWrapper')
