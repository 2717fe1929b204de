"""Converters from the official raw FreiHAND and RHD releases to MMPose's
COCO-style annotation files.

Pure functions (raw files in, annotation dicts out) built on numpy, Pillow and
the standard library; no torch or MMPose import. ``tools/convert_freihand.py``
and ``tools/convert_rhd.py`` are their command lines.
"""
from .common import ConversionError, ConversionResult, run_conversion, write_outputs
from .freihand import convert_freihand
from .rhd import convert_rhd, load_rhd_pickle

__all__ = [
    'ConversionError', 'ConversionResult', 'convert_freihand', 'convert_rhd',
    'load_rhd_pickle', 'run_conversion', 'write_outputs'
]
