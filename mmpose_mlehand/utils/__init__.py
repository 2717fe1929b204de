"""Small helpers shared across the package."""
from .atomic_io import atomic_open, atomic_write_bytes, atomic_write_json
from .images import read_bgr

__all__ = ['atomic_open', 'atomic_write_bytes', 'atomic_write_json', 'read_bgr']
