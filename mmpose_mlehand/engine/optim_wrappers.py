"""bf16 mixed-precision training on any device, CPUs included.

MMEngine's ``AmpOptimWrapper`` refuses to run without a GPU (or NPU/MLU/MUSA),
and its default float16 needs loss scaling. bfloat16 has float32's exponent
range, so it needs no scaler: :class:`BF16AutocastOptimWrapper` only runs the
forward pass (and thereby the backward pass) inside
``torch.autocast(<device>, dtype=torch.bfloat16)``. Parameters, gradients and
the optimizer state stay float32. On CPUs with native BF16 dot products
(AVX512-BF16 or AMX) oneDNN runs convolutions about twice as fast as in
float32; elsewhere bf16 is emulated and slower, which the wrapper warns about.

Which models are safe under it: those whose numerically delicate parts leave
autocast. ``SequentialIntegralHead`` computes its heatmap logits, sigmas,
integral regression and ``MLELoss`` (flows included) in float32 inside an
autocast region. MMPose 1.3.2's own heads are not ready for it
(``HeatmapHead.loss`` hands a bf16 tensor to NumPy, which has no bf16).
"""
import warnings
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper
from mmpose.registry import OPTIM_WRAPPERS
from torch import nn

from ..utils.precision import cpu_has_native_bf16


@OPTIM_WRAPPERS.register_module()
class BF16AutocastOptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose forward passes run under bf16 autocast.

    Used like MMEngine's ``OptimWrapper`` (same arguments: ``optimizer``,
    ``accumulative_counts``, ``clip_grad``)::

        optim_wrapper = dict(type='BF16AutocastOptimWrapper',
                             optimizer=dict(type='Adam', lr=1e-3))

    ``model.train_step`` enters :meth:`optim_context` around the forward pass
    and the loss; everything else is ``OptimWrapper``'s.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._warned_emulated = False

    @contextmanager
    def optim_context(self, model: nn.Module):
        """``OptimWrapper.optim_context`` inside bf16 autocast on the device
        of the model's parameters."""
        device_type = _device_type(model)
        if device_type == 'cpu' and not self._warned_emulated and not cpu_has_native_bf16():
            warnings.warn('BF16AutocastOptimWrapper: this CPU has no native bf16 dot products '
                          '(AVX512-BF16/AMX); bf16 is emulated and slower than float32 here')
            self._warned_emulated = True
        with super().optim_context(model), torch.autocast(device_type, dtype=torch.bfloat16):
            yield


def _device_type(model: nn.Module) -> str:
    """Device type of the model's first parameter ('cpu' if it has none)."""
    for param in model.parameters():
        return param.device.type
    return 'cpu'
