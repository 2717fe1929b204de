"""Safe checkpoint loading for MMEngine/MMPose on torch >= 2.6.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True`` and refuses
every pickled global that is not allow-listed. MMEngine 0.10.7 calls
``torch.load`` without ``weights_only``, so ``--resume`` and ``mim test
--checkpoint`` fail on checkpoints that MMEngine itself wrote. Turning
``weights_only`` off would let any downloaded checkpoint run code. This module
keeps ``weights_only=True`` and:

1. allow-lists exactly the types MMEngine and MMPose put into checkpoints:
   numpy arrays, scalars and dtypes (``meta``, ``message_hub``), ``bytes``
   (empty array buffers) and MMEngine's ``HistoryBuffer``;
2. makes ``HistoryBuffer`` pickle without functions. Stock MMEngine stores its
   statistics methods as ``getattr(HistoryBuffer, 'mean')`` calls; those methods
   are class-level registrations that exist again after import, so nothing is
   lost by leaving them out;
3. reads checkpoints written by stock MMEngine (with those ``getattr`` calls)
   without allow-listing ``getattr`` itself: the global ``builtins.getattr`` is
   bound to :func:`_history_buffer_statistic`, which only returns a registered
   statistics method of ``HistoryBuffer`` and refuses everything else. A
   general ``getattr`` would give a malicious pickle an attribute walk to code
   execution.

Everything else, e.g. a pickle that calls ``os.system`` or ``builtins.exec``,
is still refused by torch's weights-only unpickler before it runs.
"""
import pickle
from typing import Any, Callable, Dict, List, Tuple, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

SafeGlobal = Union[Callable, Tuple[Callable, str]]

# Registered by every HistoryBuffer.__init__; a fresh process may load a
# checkpoint before any buffer exists.
_DEFAULT_STATISTICS = ('min', 'max', 'current', 'mean')


def _history_buffer_statistic(obj: Any, name: str) -> Callable:
    """Stand-in for ``getattr`` while unpickling: only HistoryBuffer methods.

    Args:
        obj: The object whose attribute the pickle asks for.
        name (str): The attribute name.

    Returns:
        Callable: ``HistoryBuffer.<name>`` if it is a registered statistics
        method.

    Raises:
        pickle.UnpicklingError: For any other object or attribute.
    """
    if (obj is HistoryBuffer and isinstance(name, str)
            and (name in _DEFAULT_STATISTICS
                 or name in HistoryBuffer._statistics_methods)
            and callable(vars(HistoryBuffer).get(name))):
        return vars(HistoryBuffer)[name]
    raise pickle.UnpicklingError(
        f'Refused getattr({obj!r}, {name!r}) in a checkpoint: only the '
        'statistics methods of mmengine HistoryBuffer may be looked up '
        '(mmpose_mlehand.engine.safe_checkpoint).')


def _history_buffer_getstate(self: HistoryBuffer) -> Dict[str, Any]:
    """Pickle state of a HistoryBuffer without its statistics functions.

    The functions are class-level registrations (``register_statistics``),
    present again once their module is imported; MMEngine's ``__setstate__``
    treats a missing ``statistics_methods`` key as empty.
    """
    state = dict(self.__dict__)
    state.pop('statistics_methods', None)
    return state


def _numpy_globals() -> List[SafeGlobal]:
    """Numpy classes and rebuild functions that pickled arrays refer to."""
    multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    # ``bytes()`` rebuilds the buffer of an empty array (e.g. an empty ``sigmas``).
    safe: List[SafeGlobal] = [np.ndarray, np.dtype, bytes]
    for fn in (multiarray._reconstruct, multiarray.scalar):
        # numpy 1.x writes ``numpy.core``, numpy 2.x ``numpy._core``.
        for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
            safe.append((fn, f'{module}.{fn.__name__}'))
    # numpy >= 1.25 pickles dtypes through their classes (numpy.dtypes.*DType).
    for type_code in '?bBhHiIlLqQefdgFDGUSV' + 'Mm':
        dtype_cls = type(np.dtype(type_code if type_code not in 'Mm' else f'{type_code}8[s]'))
        safe.append(dtype_cls)
    return safe


def safe_globals() -> List[SafeGlobal]:
    """Every global allow-listed for MMEngine/MMPose checkpoints.

    Returns:
        list: Entries for :func:`torch.serialization.add_safe_globals`.
    """
    return _numpy_globals() + [
        HistoryBuffer,
        (_history_buffer_statistic, 'builtins.getattr'),
    ]


def register_safe_checkpoint_loading() -> None:
    """Allow-list checkpoint globals and make HistoryBuffer pickle safely.

    Idempotent; called when :mod:`mmpose_mlehand.plugin` is imported.
    """
    torch.serialization.add_safe_globals(safe_globals())
    HistoryBuffer.__getstate__ = _history_buffer_getstate
