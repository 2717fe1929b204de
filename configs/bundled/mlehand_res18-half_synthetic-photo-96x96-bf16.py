# The bundled recipe (mlehand_res18-half_synthetic-photo-96x96.py) trained with
# bf16 mixed precision (BF16AutocastOptimWrapper: convolutions and matrix
# products in bf16; heatmap logits, sigmas, integral regression and MLELoss in
# float32; parameters and Adam in float32). Measured against the float32 recipe
# in docs/rendering_ablation.md ("Input size, width and precision").
_base_ = ['./mlehand_res18-half_synthetic-photo-96x96.py']

optim_wrapper = dict(type='BF16AutocastOptimWrapper')
