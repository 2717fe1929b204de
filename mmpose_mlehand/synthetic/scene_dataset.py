"""Write hand scenes (:mod:`.hand_scenes`) as a COCO detection data set.

Layout of ``out_dir``::

    images/{train,val,test,test_seen}/%06d.jpg
    annotations/hand_scenes_{split}.json    COCO: one category ``hand``; per
                                            hand its box, 21 keypoints and
                                            ``hand_side``
    scene_meta.json                         the generator's settings

The splits draw their appearance from the families of :data:`SPLIT_FAMILIES`:
``train`` from the training family, ``val`` (model selection) and ``test``
(the reported figures) from the held-out family, ``test_seen`` from the
training family (the same scenes' distribution with seen appearances, for the
gap). Images are written by worker processes; the annotation files are
written atomically once every image of their split exists. The output is a
function of the seed and the counts, whatever the number of workers.
"""
import json
import os
import shutil
import time
from typing import Dict, List, Tuple

import cv2
import numpy as np

from .. import version
from ..hand_format import FREIHAND_BONES, FREIHAND_KEYPOINT_NAMES
from ..utils.atomic_io import atomic_write_json
from ..utils.progress import progress_bar
from .generate import pool_imap
from .hand_scenes import SCENE_SPLITS, SCENE_STYLE, get_layout, render_hand_scene

SPLIT_FAMILIES: Dict[str, str] = {
    'train': 'train', 'val': 'heldout', 'test': 'heldout', 'test_seen': 'train'}
# The scene generator of each split of this layout (test_seen re-uses the
# test split's scenes under the training family's appearance).
_SCENE_SPLIT = {'train': 'train', 'val': 'val', 'test': 'test',
                'test_seen': 'test'}
META_FILE = 'scene_meta.json'
CATEGORY = {
    'id': 1, 'name': 'hand', 'supercategory': 'hand',
    'keypoints': list(FREIHAND_KEYPOINT_NAMES),
    'skeleton': [[a + 1, b + 1] for a, b in FREIHAND_BONES],
}
_CHUNK = 16


def image_name(index: int) -> str:
    """File name of scene ``index`` within its split's image folder."""
    return f'{index:06d}.jpg'


def annotation_file(split: str) -> str:
    """Path of a split's COCO file, relative to the data root."""
    return f'annotations/hand_scenes_{split}.json'


def hand_annotations(hands, image_id: int, first_id: int) -> List[dict]:
    """COCO annotations of a scene's hands.

    Keypoint flags: 2 visible, 1 in the frame but hidden, 0 outside the
    frame (the coordinates are the true ones in every case).

    Args:
        hands (list): :class:`~.hand_scenes.SceneHand` of one scene.
        image_id (int): The scene's image id.
        first_id (int): Id of the first annotation.

    Returns:
        list: one dict per hand.
    """
    annotations = []
    for k, hand in enumerate(hands):
        flags = np.where(hand.visible, 2, np.where(hand.in_frame, 1, 0))
        keypoints = np.concatenate([hand.uv, flags[:, None]], axis=1)
        x, y, w, h = hand.bbox
        annotations.append({
            'id': first_id + k, 'image_id': image_id, 'category_id': 1,
            'bbox': [round(v, 2) for v in (x, y, w, h)],
            'area': round(w * h, 2), 'iscrowd': 0,
            'keypoints': [round(float(v), 2) for v in keypoints.ravel()],
            'num_keypoints': int((flags > 0).sum()),
            'hand_side': hand.side,
        })
    return annotations


def _render_chunk(task: Tuple) -> Tuple[str, List[Tuple[int, int, int, list]]]:
    """Render and write scenes ``start..stop-1`` of one split (in a worker).

    Returns:
        tuple: the split and, per scene, ``(index, width, height, hands)``.
    """
    out_dir, split, seed, start, stop, layout = task
    folder = os.path.join(out_dir, 'images', split)
    records = []
    for index in range(start, stop):
        scene = render_hand_scene(seed, _SCENE_SPLIT[split], index,
                                  SPLIT_FAMILIES[split], layout=layout)
        path = os.path.join(folder, image_name(index))
        if not cv2.imwrite(path, np.ascontiguousarray(scene.image[..., ::-1]),
                           [cv2.IMWRITE_JPEG_QUALITY, scene.jpeg_quality]):
            raise OSError(f'could not write {path}')
        height, width = scene.image.shape[:2]
        records.append((index, width, height, scene.hands))
    return split, records


def _coco(split: str, records: List[Tuple[int, int, int, list]]) -> dict:
    images, annotations = [], []
    for index, width, height, hands in records:
        image_id = index + 1
        images.append({'id': image_id, 'file_name': image_name(index),
                       'width': width, 'height': height})
        annotations += hand_annotations(hands, image_id, len(annotations) + 1)
    return {
        'info': {'description': f'mmpose-mlehand synthetic hand scenes, {split}'},
        'images': images, 'annotations': annotations, 'categories': [CATEGORY],
    }


def holds_scenes(out_dir: str, counts: Dict[str, int], seed: int,
                 layout: str = 'default') -> bool:
    """Whether ``out_dir`` holds the scenes :func:`generate_scene_dataset`
    writes for ``counts``, ``seed`` and ``layout`` (by its meta file; a split
    counted 0 matches one that was not written; a meta file written before
    layouts existed holds the ``default`` one), so that a tool can reuse
    them."""
    meta_path = os.path.join(out_dir, META_FILE)
    if not os.path.isfile(meta_path):
        return False
    with open(meta_path, encoding='utf-8') as f:
        meta = json.load(f)
    written = meta.get('counts', {})
    return (meta.get('seed') == seed and meta.get('layout', 'default') == layout
            and all(written.get(split, 0) == num for split, num in counts.items()))


def generate_scene_dataset(out_dir: str, counts: Dict[str, int], seed: int = 0,
                           workers: int = 1, overwrite: bool = False,
                           progress: bool = True,
                           layout: str = 'default') -> Dict[str, float]:
    """Render hand scenes and write them as a COCO detection data set.

    Args:
        out_dir (str): Data root (created if missing).
        counts (dict): Scenes per split (keys of :data:`SPLIT_FAMILIES`;
            missing splits get none).
        seed (int): Seed (>= 0).
        workers (int): Worker processes (>= 1).
        overwrite (bool): Replace an earlier run's ``images``, ``annotations``
            and meta file in ``out_dir``.
        progress (bool): Show a progress bar on stderr.
        layout (str): Hand sizes and cuts by the frame, a key of
            :data:`~.hand_scenes.SCENE_LAYOUTS`.

    Returns:
        dict: ``images``, ``hands``, ``seconds`` and ``images_per_s``.

    Raises:
        ValueError: on unknown splits or layout, negative counts, seed or
            workers.
        FileExistsError: if ``out_dir`` holds an earlier run and
            ``overwrite`` is False.
    """
    unknown = set(counts) - set(SPLIT_FAMILIES)
    if unknown:
        raise ValueError(f'unknown splits {sorted(unknown)}; splits are '
                         f'{tuple(SPLIT_FAMILIES)}')
    for name, value, minimum in [*((f'count of {s}', n, 0) for s, n in counts.items()),
                                 ('seed', seed, 0), ('workers', workers, 1)]:
        if not isinstance(value, (int, np.integer)) or value < minimum:
            raise ValueError(f'{name} must be an integer >= {minimum}, got {value!r}')
    get_layout(layout)  # an unknown name fails before anything is written
    entries = ('images', 'annotations', META_FILE)
    existing = [e for e in entries if os.path.lexists(os.path.join(out_dir, e))]
    if existing and not overwrite:
        raise FileExistsError(f'{out_dir} already contains {", ".join(existing)}; '
                              'choose an empty folder or pass overwrite')
    for entry in existing:
        path = os.path.join(out_dir, entry)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    splits = [s for s in SPLIT_FAMILIES if counts.get(s, 0) > 0]
    for split in splits:
        os.makedirs(os.path.join(out_dir, 'images', split), exist_ok=True)
    os.makedirs(os.path.join(out_dir, 'annotations'), exist_ok=True)
    tasks = [(out_dir, split, seed, start, min(start + _CHUNK, counts[split]), layout)
             for split in splits for start in range(0, counts[split], _CHUNK)]
    total = sum(counts[s] for s in splits)
    records: Dict[str, list] = {split: [] for split in splits}
    start = time.perf_counter()
    with progress_bar(f'hand scenes {out_dir}', total, progress,
                      unit='images') as advance:
        for split, chunk in pool_imap(_render_chunk, tasks, workers):
            records[split].extend(chunk)
            advance(len(chunk))
    hands = 0
    for split in splits:
        coco = _coco(split, records[split])
        hands += len(coco['annotations'])
        atomic_write_json(os.path.join(out_dir, annotation_file(split)), coco)
    seconds = time.perf_counter() - start
    atomic_write_json(os.path.join(out_dir, META_FILE), {
        'generator': __name__, 'package_version': version.__version__,
        'seed': seed, 'counts': {s: counts[s] for s in splits},
        'split_families': {s: SPLIT_FAMILIES[s] for s in splits},
        'style': SCENE_STYLE.name, 'layout': layout, 'scene_splits': list(SCENE_SPLITS),
    }, indent=1)
    return {'images': total, 'hands': hands, 'seconds': seconds,
            'images_per_s': total / max(seconds, 1e-9)}
