"""Numerical precision under autocast: what bf16 may touch and what it may not.

bf16 autocast (the fast inference path, :class:`BF16AutocastOptimWrapper`
training) runs convolutions and matrix products in bfloat16. The parts of the
method whose accuracy hangs on a few units in the last place (heatmap logits,
integral regression, sigmas, the flows' log-likelihoods) leave it with these
helpers; outside autocast they change nothing.
"""
import functools
from typing import Callable

import torch
from torch import Tensor


def cpu_has_native_bf16() -> bool:
    """Whether oneDNN runs bf16 convolutions natively on this CPU (AVX512-BF16
    or AMX); elsewhere bf16 is emulated and slower than fp32."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def at_least_fp32(x: Tensor) -> Tensor:
    """fp32 copy of a bf16/fp16 tensor (autocast output); fp32/fp64 as they are."""
    return x if x.dtype in (torch.float32, torch.float64) else x.float()


def outside_autocast(fn: Callable) -> Callable:
    """Decorator: run ``fn`` with autocast off, its bf16/fp16 tensor arguments
    cast to float32, when called inside an autocast region (a loss, say).

    The device is that of the first tensor argument; without autocast the call
    is unchanged.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
        if not tensors or not torch.is_autocast_enabled(tensors[0].device.type):
            return fn(*args, **kwargs)
        args = tuple(at_least_fp32(a) if isinstance(a, Tensor) else a for a in args)
        kwargs = {k: at_least_fp32(v) if isinstance(v, Tensor) else v for k, v in kwargs.items()}
        with torch.autocast(tensors[0].device.type, enabled=False):
            return fn(*args, **kwargs)

    return wrapper
