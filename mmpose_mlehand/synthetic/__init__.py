"""Procedural synthetic hands written in the raw FreiHAND and RHD layouts.

Modules, one job each:

- :mod:`.hand_model`: kinematic hand (bone lengths, joint limits, poses);
- :mod:`.camera`: intrinsics, projection, placing hands in view;
- :mod:`.scene`: hand, arm, body, person and occluder primitives, skin,
  lights;
- :mod:`.renderer`: z-buffer rasteriser, shading, visibility, compositing;
- :mod:`.skin_texture`: skin blotches and creases;
- :mod:`.backgrounds`, :mod:`.effects`: backgrounds and camera effects;
- :mod:`.photos`: crops of photographs shipped with installed packages;
- :mod:`.colour_temperature`: colours of black-body lights;
- :mod:`.appearance`: appearance families (``train``, ``heldout``);
- :mod:`.styles`: scene styles (``full``, ``clean``, ``photo``);
- :mod:`.label_noise`: training-label noise models;
- :mod:`.samples`: one FreiHAND- or RHD-style sample from its seed;
- :mod:`.writers`: the raw file layouts;
- :mod:`.generate`: whole data sets with worker processes and progress;
- :mod:`.contact_sheet`: previews.

numpy and OpenCV only: nothing here imports torch or MMPose.
"""
from .appearance import FAMILIES, Appearance, sample_appearance
from .contact_sheet import make_contact_sheet
from .generate import FORMATS, generate_dataset
from .label_noise import parse_label_noise, perturb_uv, perturb_xyz
from .samples import render_freihand_sample, render_rhd_sample
from .styles import STYLES, SceneStyle, get_style

__all__ = [
    'FAMILIES', 'FORMATS', 'STYLES', 'Appearance', 'SceneStyle',
    'generate_dataset', 'sample_appearance',
    'get_style', 'make_contact_sheet', 'parse_label_noise', 'perturb_uv',
    'perturb_xyz', 'render_freihand_sample', 'render_rhd_sample'
]
