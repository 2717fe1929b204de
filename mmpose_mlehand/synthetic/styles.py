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

``photo`` aims at webcam photographs of hands: mostly upright hands (fingers
up) with the palm or the back towards the camera, the forearm running into
the frame, often a head and torso beside or behind the hand, crops of real
photographs (or procedural rooms) behind it, skin texture and creases, a
light of a colour temperature, a webcam's white balance, exposure, noise and
blur, hands partly outside the frame and objects held in the hand. Its
appearance is drawn from a family (see :mod:`.appearance`), so a held-out
family can test a model on skin tones, lights, white balances, JPEG
qualities and backgrounds that training never saw, and the ``hard`` family
(validation and test only) adds strong light, low contrast, closed hands,
side views and hands turned far from upright.

The switches that ``photo`` adds are off in ``full`` and ``clean``, which
draw exactly the random numbers they drew before ``photo`` existed.
"""
from dataclasses import asdict, dataclass, replace
from typing import Any, Dict, Optional, Union


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
        upright_sigma_deg (float, optional): In-plane orientation prior: the
            image angle of the wrist-to-middle-knuckle direction is drawn
            around upright (fingers up) with this standard deviation (a share
            ``samples.UPRIGHT_UNIFORM_PROB`` is uniform instead). None keeps
            the uniform in-plane angle of the 3-D view.
        arm_in_view (bool): Views whose forearm runs steeply into or out of
            the image are redrawn, so the forearm is seen leaving the hand
            towards the frame's edge.
        out_of_frame_prob (float): Share of FreiHAND-format samples whose
            hand is moved so that part of it lies outside the image.
        held_object_prob (float, optional): Share of occluders placed among
            or behind the fingers (held); None keeps
            ``scene.OCCLUDER_BEHIND_PROB``.
        person_prob (float): Share of images with a head and torso beside or
            behind the hand (:func:`.scene.add_person`).
        families (bool): Skin tone, light colour, white balance, JPEG
            quality and background are drawn from an appearance family's
            bands (:mod:`.appearance`): a photograph or a procedural base of
            the family (``clutter`` is then unused), lit by the light. Needed
            by the three switches below and by the held-out family.
        photo_background_prob (float): With ``families``: share of
            backgrounds that are crops of real photographs.
        skin_texture (bool): Low-frequency albedo blotches, palm creases and
            finger-joint creases on skin pixels (:mod:`.skin_texture`).
        photo_camera (bool): A webcam's response (:func:`.effects.photo_camera`):
            exposure, the family's white balance, contrast, saturation, blur,
            motion blur, vignetting and signal-dependent noise, instead of
            the colour jitter and ``degradations`` of ``full``/``clean``.
        dorsal_detail (bool): With ``skin_texture``: the tendons and
            knuckles on the back of the hand (:mod:`.skin_texture`).
        closed_pose_prob (float): Share of closed and half-closed hands
            (:func:`.hand_model.sample_closed_pose`: fists, pinches, ...).
        turned_prob (float): Share of hands turned 45-180 degrees either way
            from upright (``samples.HARD_TURN_RANGE_DEG``) instead of the
            ``upright_sigma_deg`` prior.
        side_view_prob (float): Share of views whose palm is tilted between
            ``max_view_tilt_deg`` and ``samples.HARD_MAX_VIEW_TILT_DEG`` from
            the camera axis (the palm seen nearly edge-on).
            The three are what the ``hard`` test family over-samples
            (``samples.HARD_*``, which replace them in that family); at 0, no
            random number is drawn for them.
        crossed_pose_prob (float): Share of the hands that are not closed
            with two fingers crossed (:func:`.hand_model.sample_crossed_pose`);
            at 0, no random number is drawn for it.
    """

    name: str
    max_view_tilt_deg: float = 90.0
    clutter: bool = True
    occluders: bool = True
    degradations: bool = True
    upright_sigma_deg: Optional[float] = None
    arm_in_view: bool = False
    out_of_frame_prob: float = 0.0
    held_object_prob: Optional[float] = None
    person_prob: float = 0.0
    families: bool = False
    photo_background_prob: float = 0.0
    skin_texture: bool = False
    photo_camera: bool = False
    dorsal_detail: bool = False
    closed_pose_prob: float = 0.0
    turned_prob: float = 0.0
    side_view_prob: float = 0.0
    crossed_pose_prob: float = 0.0

    def __post_init__(self) -> None:
        if self.dorsal_detail and not self.skin_texture:
            raise ValueError(f'style {self.name!r}: dorsal_detail needs skin_texture')
        for name in ('closed_pose_prob', 'turned_prob', 'side_view_prob',
                     'crossed_pose_prob'):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f'style {self.name!r}: {name} must be in [0, 1], '
                                 f'got {getattr(self, name)}')
        if not self.families and (self.photo_background_prob > 0
                                  or self.skin_texture or self.photo_camera):
            raise ValueError(
                f'style {self.name!r}: photo_background_prob, skin_texture '
                'and photo_camera need families=True (they take their '
                'parameters from the appearance family)')


STYLES: Dict[str, SceneStyle] = {
    'full': SceneStyle('full'),
    'clean': SceneStyle('clean', max_view_tilt_deg=30.0, clutter=False,
                        occluders=False, degradations=False),
    'photo': SceneStyle('photo', max_view_tilt_deg=50.0, upright_sigma_deg=25.0,
                        arm_in_view=True, out_of_frame_prob=0.2,
                        held_object_prob=0.6, person_prob=0.6, families=True,
                        photo_background_prob=0.7, skin_texture=True,
                        photo_camera=True),
}
# ``photo`` with what the real photographs' errors show more of (issue 22):
# closed hands, hands turned far from upright and side views, at about half
# the shares of the hard test family, so that upright open hands stay common;
# and the back of the hand drawn so that it differs from the palm.
STYLES['photo-varied'] = replace(STYLES['photo'], name='photo-varied', closed_pose_prob=0.3,
                                 turned_prob=0.25, side_view_prob=0.2, dorsal_detail=True)
# ``photo-varied`` whose hands that are not closed all have two fingers
# crossed: set beside ``photo-varied`` it measures what crossing costs a model
# (docs/synthetic_hands.md), the closed hands being drawn alike in both.
STYLES['photo-crossed'] = replace(STYLES['photo-varied'], name='photo-crossed',
                                  crossed_pose_prob=1.0)


def get_style(name: Union[str, SceneStyle]) -> SceneStyle:
    """The style called ``name`` (a :class:`SceneStyle` is returned as it is).

    Raises:
        ValueError: for an unknown style name.
    """
    if isinstance(name, SceneStyle):
        return name
    if name not in STYLES:
        raise ValueError(f'style must be one of {tuple(STYLES)}, got {name!r}')
    return STYLES[name]


def with_current_style(record: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a record (a run's or a data set's settings) whose ``style``,
    where it holds a style's fields rather than its name, reads as
    :class:`SceneStyle` records them now.

    A record written before a switch existed lacks it; every switch added
    since draws, at its default, exactly what was drawn before it existed
    (no random number is drawn for it), so the missing ones take their
    defaults and the record still describes the same data.

    Raises:
        TypeError: If the record's style holds a field :class:`SceneStyle`
            does not.
    """
    if isinstance(record.get('style'), dict):
        return dict(record, style=asdict(SceneStyle(**record['style'])))
    return dict(record)
