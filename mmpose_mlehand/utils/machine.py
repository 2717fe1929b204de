"""What CPU this is, for the records that results and benchmarks carry."""
import os.path as osp
from typing import Optional, Set, Tuple

CPUINFO = '/proc/cpuinfo'


def cpu_model_and_flags(cpuinfo: str = CPUINFO) -> Tuple[Optional[str], Set[str]]:
    """The first CPU's model name and instruction-set flags, from ``cpuinfo``.

    Returns:
        tuple: the ``model name`` (None where the file has none) and the set of
        ``flags`` (empty where the file is missing or has none).
    """
    name, flags = None, set()
    if not osp.isfile(cpuinfo):
        return name, flags
    with open(cpuinfo, encoding='utf-8', errors='replace') as f:
        for line in f:
            key, _, value = line.partition(':')
            if key.strip() == 'model name' and name is None:
                name = value.strip()
            elif key.strip() == 'flags':
                flags = set(value.split())
                break
    return name, flags
