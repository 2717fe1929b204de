"""Scene styles: how varied and how hard the rendered scenes are.

``full`` (the default) is the generator as documented: any 3-D view,
cluttered and textured backgrounds with skin-coloured and finger-like
distractors, occluding objects and camera degradations. ``clean`` keeps the
hand model, poses, skin tones, lights, forearm, any in-plane rotation and the
camera of ``full``, but shows the palm or the back of the hand to the camera
(within ``max_view_tilt_deg``) on a plain gradient background, with no
occluders and no blur, noise or vignetting. ``clean`` is what a small model
trained from scratch on a CPU can learn in minutes (the quick start); ``full``
is for robustness studies.
"""
from dataclasses import dataclass
from typing import Dict


@dataclass(frozen=True)
class SceneStyle:
    """Switches of the scene content.

    Attributes:
        name (str): Name used on the command line and in ``meta.json``.
        max_view_tilt_deg (float): Largest angle between the palm's normal
            (either side) and the camera axis; 90 or more allows any view.
        clutter (bool): Textured bases, clutter, distractors and defocus in
            the background (else a plain colour gradient).
        occluders (bool): Random objects in front of or among the fingers.
        degradations (bool): Blur, motion blur, vignetting and sensor noise
            (gamma and JPEG compression are always applied).
    """

    name: str
    max_view_tilt_deg: float = 90.0
    clutter: bool = True
    occluders: bool = True
    degradations: bool = True


STYLES: Dict[str, SceneStyle] = {
    'full': SceneStyle('full'),
    'clean': SceneStyle('clean', max_view_tilt_deg=30.0, clutter=False,
                        occluders=False, degradations=False),
}


def get_style(name: str) -> SceneStyle:
    """The style called ``name``; a clear error for an unknown one."""
    if name not in STYLES:
        raise ValueError(f'style must be one of {tuple(STYLES)}, got {name!r}')
    return STYLES[name]
