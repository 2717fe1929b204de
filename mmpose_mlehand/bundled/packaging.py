"""Turn a training checkpoint into a bundled model: slim weights and a flat config.

A training checkpoint holds the optimizer state and the message hub besides the
weights; the bundled file keeps the model's state dict (the loss's flows too, so
that it loads strictly into the model its config builds) and the dataset meta,
so that it is small enough to ship inside the package and loads with
``torch.load(weights_only=True)``.
"""
import io
import json
import os
import os.path as osp
import platform
from typing import Dict, Union

import torch
from mmengine.config import Config

from ..utils import atomic_open, atomic_write_bytes, atomic_write_json


def cast_state_dict(state_dict: Dict[str, torch.Tensor],
                    dtype: torch.dtype = torch.float32) -> Dict[str, torch.Tensor]:
    """Copies of a state dict's tensors, floating-point ones cast to ``dtype``.

    Args:
        state_dict (dict): A model's full state dict (as MMEngine saves it).
        dtype (torch.dtype): Storage type of floating-point tensors; loading
            casts them back to the model's type.

    Returns:
        dict: New tensors (contiguous copies); integer buffers (BatchNorm's
        ``num_batches_tracked``) keep their type.
    """
    slim = {}
    for key, value in state_dict.items():
        value = value.detach().to('cpu')
        if value.is_floating_point():
            value = value.to(dtype)
        slim[key] = value.contiguous().clone()
    return slim


def write_bundled_model(checkpoint: str, config: Config, weights_out: str,
                        config_out: str, dtype: torch.dtype = torch.float32) -> int:
    """Write the slim weights and the flat config of a trained model, atomically.

    Args:
        checkpoint (str): MMEngine training checkpoint (``.pth``).
        config (Config): The config it was trained with.
        weights_out (str): Output ``.pth``: ``state_dict`` plus ``meta`` with
            ``dataset_meta`` (what MMPose's inferencer reads).
        config_out (str): Output ``.py``: the config, flattened (no ``_base_``).
        dtype (torch.dtype): Storage type of the weights.

    Returns:
        int: Size of the weights file in bytes.
    """
    trained = torch.load(checkpoint, map_location='cpu', weights_only=True)
    if 'state_dict' not in trained:
        raise ValueError(f'{checkpoint}: no state_dict (expected an MMEngine checkpoint)')
    meta = trained.get('meta', {})
    if 'dataset_meta' not in meta:
        raise ValueError(f'{checkpoint}: meta has no dataset_meta; it was not '
                         'written by MMEngine\'s runner with an MMPose dataset')
    buffer = io.BytesIO()
    torch.save(dict(state_dict=cast_state_dict(trained['state_dict'], dtype),
                    meta=dict(dataset_meta=meta['dataset_meta'])), buffer)
    atomic_write_bytes(weights_out, buffer.getvalue())
    with atomic_open(config_out, 'w', encoding='utf-8') as f:
        f.write(config.pretty_text)
    return osp.getsize(weights_out)


def machine_info() -> Dict[str, object]:
    """The machine a bundled model was trained on, for its provenance file."""
    return dict(platform=platform.platform(), processor=platform.processor(),
                cpus=os.cpu_count(), torch=torch.__version__,
                torch_threads=torch.get_num_threads())


#: File in a training folder that adds up the training seconds of every call
#: of a bundling tool that trained there.
TRAIN_SECONDS_FILE = 'train_seconds.json'


def add_train_seconds(train_dir: str, seconds: float) -> Dict[str, Union[int, float]]:
    """Add one call's training seconds to the folder's tally and return it.

    A long run that is interrupted is trained by several calls of its tool
    (each resumes from the last checkpoint), so one call's seconds are not
    the run's. Each call adds its own here (written atomically), and the
    provenance reports the sum.

    Args:
        train_dir (str): The runner's work folder (created if missing).
        seconds (float): This call's training seconds.

    Returns:
        dict: ``calls`` (how many calls trained there, this one included)
        and ``seconds`` (their sum, rounded to 0.1 s).

    Raises:
        ValueError: If the tally file is not one this function wrote.
    """
    path = osp.join(train_dir, TRAIN_SECONDS_FILE)
    tally = dict(calls=0, seconds=0.0)
    if osp.isfile(path):
        with open(path, encoding='utf-8') as f:
            try:
                tally = json.load(f)
                tally = dict(calls=int(tally['calls']), seconds=float(tally['seconds']))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f'{path}: not a training-seconds tally ({exc}); '
                                 'delete it to start counting again') from None
    tally = dict(calls=tally['calls'] + 1, seconds=round(tally['seconds'] + seconds, 1))
    os.makedirs(train_dir, exist_ok=True)
    atomic_write_json(path, tally)
    return tally
