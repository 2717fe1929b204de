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
import time
from typing import Any, Dict, List, Union

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


def seconds_record(data: float, train: float, tally: Dict[str, Union[int, float]],
                   start: float) -> Dict[str, Union[int, float]]:
    """The provenance's ``seconds`` of one call of a bundling tool.

    Args:
        data (float): Seconds this call spent rendering the data.
        train (float): Seconds this call spent training (and validating).
        tally (dict): The folder's tally after this call, as
            :func:`add_train_seconds` returns it.
        start (float): ``time.perf_counter()`` when the call started.

    Returns:
        dict: ``data``, ``train`` (this call), ``train_all_calls`` and
        ``train_calls`` (every call that trained in the folder) and ``total``
        (this call, until now), seconds rounded to 0.1.
    """
    return dict(data=round(data, 1), train=round(train, 1), train_all_calls=tally['seconds'],
                train_calls=tally['calls'], total=round(time.perf_counter() - start, 1))


#: File in a training folder that records which run trains there.
RUN_STAMP_FILE = 'run_stamp.json'


def _differences(old: Any, new: Any, prefix: str = '', depth: int = 3) -> List[str]:
    """Dotted keys where two JSON values differ (down to ``depth`` levels)."""
    if old == new:
        return []
    if depth == 0 or not (isinstance(old, dict) and isinstance(new, dict)):
        return [prefix or '(all)']
    keys = sorted(set(old) | set(new))
    return [key for name in keys
            for key in _differences(old.get(name), new.get(name),
                                    f'{prefix}.{name}' if prefix else name, depth - 1)]


def check_run_stamp(train_dir: str, stamp: Dict[str, Any]) -> bool:
    """Record which run a training folder holds, or refuse to resume another.

    The bundling tools resume from the last epoch checkpoint in their work
    folder. Called again with other data, another recipe or another schedule,
    they would otherwise continue (or, when it has finished, ship) the earlier
    run as if it were the one asked for. The stamp is written when no
    checkpoint exists yet (or a folder from before stamps has none); a folder
    with a checkpoint must match it.

    Args:
        train_dir (str): The runner's work folder (created if missing).
        stamp (dict): What decides the run, JSON-serialisable (values that are
            not, such as types in a config, are compared by their ``repr``):
            e.g. the data's seed and layout and the full training config.

    Returns:
        bool: Whether ``train_dir`` holds a checkpoint of this run to resume
        from (MMEngine's ``last_checkpoint``).

    Raises:
        ValueError: If ``train_dir`` holds a checkpoint of a run with another
            stamp (the message names the keys that differ), or a stamp file
            that is not a JSON object.
    """
    path = osp.join(train_dir, RUN_STAMP_FILE)
    stamp = json.loads(json.dumps(stamp, default=repr))  # tuples -> lists, as read back
    resumes = osp.isfile(osp.join(train_dir, 'last_checkpoint'))
    if osp.isfile(path) and resumes:
        with open(path, encoding='utf-8') as f:
            try:
                recorded = json.load(f)
            except ValueError as exc:
                raise ValueError(f'{path}: not a run stamp ({exc})') from None
        if not isinstance(recorded, dict):
            raise ValueError(f'{path}: not a run stamp (expected a JSON object)')
        differing = _differences(recorded, stamp)
        if differing:
            raise ValueError(
                f'{train_dir} holds a checkpoint of another run (it differs in '
                f'{", ".join(differing)}); give this one a new --work-dir, or delete '
                f'{train_dir} to start it again there')
        return True
    os.makedirs(train_dir, exist_ok=True)
    atomic_write_json(path, stamp)
    return resumes
