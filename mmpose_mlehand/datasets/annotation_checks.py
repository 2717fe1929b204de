"""Checks of COCO-style keypoint annotation files before MMPose reads them.

MMPose's COCO-style datasets take an annotation file as it is: a keypoint of
``NaN`` or ``Infinity`` (both valid in Python's JSON), a box of zero or negative
size or a keypoint count other than the data set's reaches the pipeline, and
from there the loss, or is dropped without a word. Files written by this
project's converters are checked when they are written; these functions check a
file from any source (a user's own file, an older conversion) and are what the
plugin's datasets (:mod:`.hand_datasets`) run before MMPose parses the file.

Only the standard library is used, so the checks can run anywhere.
"""
import json
import math
from typing import Any, Iterable, List, Optional, Sequence, Tuple

VISIBILITY_VALUES = (0, 1, 2)
# Problems listed one by one in the error message; the rest are counted.
MAX_LISTED_PROBLEMS = 5

# (annotation id, image id, problem)
Problem = Tuple[Any, Any, str]


class InvalidAnnotationError(ValueError):
    """An annotation file holds labels that must not reach training."""


def _is_number(value: Any) -> bool:
    # JSON true/false load as bool, a subclass of int: not a coordinate.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _keypoint_label(index: int, keypoint_names: Optional[Sequence[str]]) -> str:
    if keypoint_names is not None and index < len(keypoint_names):
        return f'keypoint {index} ({keypoint_names[index]})'
    return f'keypoint {index}'


def annotation_problem(ann: Any,
                       num_keypoints: int,
                       keypoint_names: Optional[Sequence[str]] = None) -> Optional[str]:
    """The first problem of one COCO keypoint annotation, or None if it is valid.

    An annotation is valid when ``keypoints`` holds ``3 * num_keypoints``
    finite numbers ``x, y, v`` with every visibility ``v`` in {0, 1, 2}, and
    ``bbox`` holds four finite numbers ``[x, y, w, h]`` with ``w > 0`` and
    ``h > 0``.

    Args:
        ann: One entry of the file's ``annotations`` list.
        num_keypoints (int): Keypoints per instance of the data set (21 for
            hands).
        keypoint_names (Sequence[str], optional): Names by keypoint index, to
            name the keypoint in the message.

    Returns:
        str | None: The problem in words (e.g. ``'keypoint 3 (thumb3) has a
        non-finite x (nan)'``), or None.
    """
    if not isinstance(ann, dict):
        return f'is a {type(ann).__name__}, not an object'
    keypoints = ann.get('keypoints')
    if keypoints is None:
        return "has no 'keypoints'"
    if not isinstance(keypoints, (list, tuple)):
        return f"has 'keypoints' of type {type(keypoints).__name__}, not a list"
    if len(keypoints) != 3 * num_keypoints:
        return (f'has {len(keypoints)} keypoint values, expected {3 * num_keypoints} '
                f'({num_keypoints} keypoints x (x, y, visibility))')
    for index in range(num_keypoints):
        values = keypoints[3 * index:3 * index + 3]
        for name, value in zip(('x', 'y', 'visibility'), values):
            if not _is_number(value):
                return (f'{_keypoint_label(index, keypoint_names)} has a non-numeric '
                        f'{name} ({value!r})')
            if not math.isfinite(value):
                return (f'{_keypoint_label(index, keypoint_names)} has a non-finite '
                        f'{name} ({value})')
        if values[2] not in VISIBILITY_VALUES:
            return (f'{_keypoint_label(index, keypoint_names)} has visibility {values[2]}, '
                    'expected 0, 1 or 2')

    bbox = ann.get('bbox')
    if bbox is None:
        return "has no 'bbox'"
    if not isinstance(bbox, (list, tuple)) or len(bbox) != 4:
        return f"has 'bbox' {bbox!r}, expected four numbers [x, y, w, h]"
    for name, value in zip(('x', 'y', 'w', 'h'), bbox):
        if not _is_number(value):
            return f'has a box with a non-numeric {name} ({value!r})'
        if not math.isfinite(value):
            return f'has a box with a non-finite {name} ({value})'
    w, h = bbox[2], bbox[3]
    if w <= 0 or h <= 0:
        return f'has a box of zero or negative size (w={w}, h={h})'
    return None


def find_problems(annotations: Iterable[Any],
                  num_keypoints: int,
                  keypoint_names: Optional[Sequence[str]] = None) -> List[Problem]:
    """Every invalid annotation of a list, in file order.

    Args:
        annotations (Iterable): The file's ``annotations`` entries.
        num_keypoints (int): Keypoints per instance.
        keypoint_names (Sequence[str], optional): Names by keypoint index.

    Returns:
        list[tuple]: ``(annotation id, image id, problem)`` per invalid
        annotation; an entry without ``id`` is named by its position
        (``'#<index> (no id)'``).
    """
    problems = []
    for position, ann in enumerate(annotations):
        problem = annotation_problem(ann, num_keypoints, keypoint_names)
        if problem is not None:
            ann_id = ann.get('id', f'#{position} (no id)') if isinstance(ann, dict) else \
                f'#{position} (no id)'
            image_id = ann.get('image_id') if isinstance(ann, dict) else None
            problems.append((ann_id, image_id, problem))
    return problems


def format_problems(source: str, problems: Sequence[Problem]) -> str:
    """The error message for the invalid annotations of one file.

    Args:
        source (str): The annotation file.
        problems (Sequence[tuple]): From :func:`find_problems`, not empty.

    Returns:
        str: One line naming the file and the count, then one line per
        annotation (id, image id, problem), at most ``MAX_LISTED_PROBLEMS``.
    """
    lines = [f'{source}: {len(problems)} invalid annotation(s); the file is refused '
             'before training (fix or remove them):']
    for ann_id, image_id, problem in problems[:MAX_LISTED_PROBLEMS]:
        lines.append(f'  annotation id {ann_id} (image_id {image_id}) {problem}')
    if len(problems) > MAX_LISTED_PROBLEMS:
        more_ids = ', '.join(str(p[0]) for p in problems[MAX_LISTED_PROBLEMS:][:20])
        lines.append(f'  ... and {len(problems) - MAX_LISTED_PROBLEMS} more (ids {more_ids}'
                     f"{', ...' if len(problems) > MAX_LISTED_PROBLEMS + 20 else ''})")
    return '\n'.join(lines)


def check_annotations(annotations: Iterable[Any],
                      num_keypoints: int,
                      source: str,
                      keypoint_names: Optional[Sequence[str]] = None) -> None:
    """Raise if any annotation of a list is invalid.

    Args:
        annotations (Iterable): COCO keypoint annotations.
        num_keypoints (int): Keypoints per instance.
        source (str): Where they come from (the file), for the message.
        keypoint_names (Sequence[str], optional): Names by keypoint index.

    Raises:
        InvalidAnnotationError: A ``ValueError`` whose message names
            ``source`` and, per invalid annotation, its id, image id and
            problem (see :func:`format_problems`).
    """
    problems = find_problems(annotations, num_keypoints, keypoint_names)
    if problems:
        raise InvalidAnnotationError(format_problems(source, problems))


def check_annotation_file(path: str,
                          num_keypoints: int,
                          keypoint_names: Optional[Sequence[str]] = None) -> None:
    """Check every annotation of a COCO-style keypoint file.

    Args:
        path (str): The JSON file (``images``, ``annotations``, ...). Python's
            JSON reader accepts ``NaN`` and ``Infinity``, as MMPose's does; such
            values are reported, not rejected as a syntax error.
        num_keypoints (int): Keypoints per instance.
        keypoint_names (Sequence[str], optional): Names by keypoint index.

    Raises:
        InvalidAnnotationError: If the file is not a JSON object with an
            ``annotations`` list or any annotation is invalid; the message
            names the file, the annotation ids and the problems.
    """
    with open(path, encoding='utf-8') as f:
        try:
            content = json.load(f)
        except json.JSONDecodeError as error:
            raise InvalidAnnotationError(f'{path}: not a JSON file ({error})') from error
    annotations = content.get('annotations') if isinstance(content, dict) else None
    if not isinstance(annotations, list):
        raise InvalidAnnotationError(
            f"{path}: expected a COCO-style JSON object with an 'annotations' list")
    check_annotations(annotations, num_keypoints, path, keypoint_names)
