"""Let MMEngine's ``pytorch`` launcher run on machines without CUDA (gloo).

MMEngine 0.10.7's ``_init_dist_pytorch`` calls ``torch.cuda.set_device`` before
``init_process_group``, which raises on a CPU-only machine even with the gloo
backend. With this patch, ``launcher='pytorch'`` plus
``env_cfg.dist_cfg.backend='gloo'`` initialises the process group directly when
no GPU is visible; every other case goes to MMEngine unchanged. The DDP wrapper
also needs ``model_wrapper_cfg=dict(type='MMDistributedDataParallel',
device_ids=None)`` on the CPU (MMEngine passes the local rank as a CUDA device).
"""
import mmengine.dist.utils as mmengine_dist_utils
import torch
import torch.distributed as torch_dist

_mmengine_init_dist_pytorch = mmengine_dist_utils._init_dist_pytorch


def _init_dist_pytorch_cpu_aware(backend: str, init_backend: str = 'torch', **kwargs) -> None:
    """``torch.distributed`` init from torchrun's environment; CPU-safe for gloo."""
    if backend == 'gloo' and init_backend == 'torch' and not torch.cuda.is_available():
        torch_dist.init_process_group(backend='gloo', **kwargs)
    else:
        _mmengine_init_dist_pytorch(backend, init_backend=init_backend, **kwargs)


def register_cpu_distributed_launch() -> None:
    """Install the CPU-aware init in MMEngine; idempotent."""
    mmengine_dist_utils._init_dist_pytorch = _init_dist_pytorch_cpu_aware
