"""Accuracy of the whole pipeline (detector + pose model) on annotated scenes.

The protocol of the held-back real photographs, run on any COCO file with
hand boxes and 21 keypoints (the synthetic scenes of
:mod:`mmpose_mlehand.synthetic.scene_dataset`, or real ones):

- **end to end**: MMPose's inferencer with no box; each annotated hand is
  matched to the predicted instance whose keypoints are closest to its own
  (mean distance over its keypoints in the frame); a hand with no instance at
  all counts as wrong in every keypoint;
- **true box**: the same pose model given the annotated box;
- **hand recall**: share of annotated hands with a predicted box at IoU >= 0.5
  (greedy matching by box score, :func:`~mmpose_mlehand.utils.boxes.match_boxes`).

PCK@thr counts keypoints (in the frame) whose error is below ``thr`` times
the longer side of the extent of the hand's keypoints in the frame, as the
real photographs are scored (the annotated box, the extent x 1.2 clipped to
the frame, is what the true-box run crops; a hand with fewer than two
distinct keypoints in the frame counts for the recall only). A colour
shift (:mod:`.colour_shifts`) can be applied to every image first, to both
runs. Each hand's record (its best IoU, whether it reaches outside the frame,
its size) is returned too, so that the misses can be broken down
(:func:`recall_breakdown`).
"""
import json
import os.path as osp
import time
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from ..evaluation.functional import keypoint_extent_size
from ..utils.boxes import box_iou, match_boxes
from ..utils.images import read_bgr


def _instances(result: dict) -> List[dict]:
    return result['predictions'][0]


def hand_errors(truth: np.ndarray, visible: np.ndarray,
                candidates: Sequence[np.ndarray]) -> Optional[np.ndarray]:
    """Per-keypoint errors (K,) of the candidate closest to ``truth`` (K, 2),
    over the keypoints in ``visible``; None without candidates."""
    best, best_mean = None, np.inf
    for keypoints in candidates:
        errors = np.linalg.norm(np.asarray(keypoints)[:, :2] - truth, axis=1)
        mean = errors[visible].mean() if visible.any() else np.inf
        if mean < best_mean:
            best, best_mean = errors, mean
    return best


# Hand size (annotated box's longer side over the image's longer side) bins of
# the breakdown, and the IoU below 0.5 from which a miss counts as a box that
# disagrees with the annotation rather than a hand not found.
SIZE_BINS = (0.0, 0.1, 0.25, 0.5, 0.75, np.inf)
NEAR_MISS_IOU = 0.3


def recall_breakdown(per_hand: Sequence[dict]) -> Dict[str, dict]:
    """Recall at IoU 0.5 by group of the hand records of
    :func:`evaluate_pipeline`.

    Groups: ``inside_frame`` / ``reaches_outside`` (some keypoint outside the
    image), and ``size_<lo>-<hi>`` by the annotated box's longer side as a
    share of the image's longer side (hands whose image has no size are left
    out of those). Each group gives ``hands``, ``recall@0.5`` and, among its
    missed hands, ``near_misses`` (a predicted box at IoU >= 0.3: there, but
    drawn differently) and ``not_found`` (none).
    """
    groups: Dict[str, List[dict]] = {'inside_frame': [], 'reaches_outside': []}
    groups.update({f'size_{lo:g}-{hi:g}': [] for lo, hi in zip(SIZE_BINS, SIZE_BINS[1:])})
    for hand in per_hand:
        groups['reaches_outside' if hand['reaches_outside'] else 'inside_frame'].append(hand)
        if hand['size'] is not None:
            for lo, hi in zip(SIZE_BINS, SIZE_BINS[1:]):
                if lo <= hand['size'] < hi:
                    groups[f'size_{lo:g}-{hi:g}'].append(hand)
    breakdown = {}
    for name, members in groups.items():
        missed = [h for h in members if not h['found']]
        near = sum(h['best_iou'] >= NEAR_MISS_IOU for h in missed)
        breakdown[name] = {
            'hands': len(members),
            'recall@0.5': (len(members) - len(missed)) / len(members) if members else None,
            'near_misses': near, 'not_found': len(missed) - near}
    return breakdown


def evaluate_pipeline(inferencer: Callable, coco_file: str, image_dir: str,
                      thr: float = 0.2, max_images: Optional[int] = None,
                      progress: Optional[Callable[[int, int], None]] = None,
                      recolour: Optional[Callable[[np.ndarray], np.ndarray]] = None,
                      clip_to_image: bool = False) -> Dict:
    """Run the inferencer with and without boxes over a COCO file's images.

    Args:
        inferencer (callable): An ``MMPoseInferencer`` (a top-down hand model
            with a detector).
        coco_file (str): COCO file with ``bbox`` (x, y, w, h) and 21
            ``keypoints`` per hand (flag 0: outside the frame, not scored).
        image_dir (str): Folder of the images (``file_name`` is relative to it).
        thr (float): PCK threshold as a share of the keypoint extent's longer
            side.
        max_images (int, optional): Only the first images.
        progress (callable, optional): Called with (done, total) per image.
        recolour (callable, optional): Applied to each (H, W, 3) BGR image
            before both runs (the inferencer then gets the array, not the
            path).
        clip_to_image (bool): Match detections against the annotated boxes
            clipped to the image (a detector draws inside the frame; the
            scenes' detection boxes are clipped so) rather than as
            annotated. The true-box run crops the box as annotated either
            way. Needs each image's ``width`` and ``height``.

    Returns:
        dict: ``images``, ``hands``, ``recall@0.5``, ``pck_end_to_end``,
        ``pck_true_box``, ``pck_drop`` (true box minus end to end),
        ``missed_hands`` (no instance at all), ``false_boxes`` (predicted
        boxes matching no hand), ``hand_free_images`` (images without an
        annotated hand), ``hand_free_with_instance`` (the share of those given
        at least one instance: a made-up hand, whatever produced it),
        ``seconds``, ``per_hand`` (per annotated hand: ``image_id``, ``id``,
        ``instances`` (predicted in its image without a box), ``found``
        (matched at IoU 0.5), ``best_iou`` (with any predicted box),
        ``reaches_outside`` (a keypoint flagged 0, or placed outside the
        image where its size is known), ``size`` (box's longer side over the
        image's; None when the image has no size), ``pck_end_to_end`` and
        ``pck_true_box`` (None when not scored)) and
        ``recall_by_group`` (:func:`recall_breakdown`). A share with nothing
        to count is None (``null`` in JSON, which has no NaN).
    """
    with open(coco_file, encoding='utf-8') as f:
        coco = json.load(f)
    by_image: Dict[int, list] = {}
    for ann in coco['annotations']:
        by_image.setdefault(ann['image_id'], []).append(ann)
    images = coco['images'][:max_images] if max_images else coco['images']
    correct_e2e = correct_box = scored = 0
    missed = false_boxes = 0
    hand_free = hand_free_answered = 0
    per_hand = []
    start = time.perf_counter()
    for done, image in enumerate(images, 1):
        # What the inferencer gets: the file, or the recoloured pixels.
        source = osp.join(image_dir, image['file_name'])
        if recolour is not None:
            source = recolour(read_bgr(source))
        anns = by_image.get(image['id'], [])
        predicted = _instances(next(inferencer(source)))
        boxes = np.array([p['bbox'][0] for p in predicted], np.float32).reshape(-1, 4)
        scores = np.array([p.get('bbox_score', 1.0) for p in predicted], np.float32)
        truth_boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in
                                (a['bbox'] for a in anns)], np.float32).reshape(-1, 4)
        width, height = image.get('width', 0), image.get('height', 0)
        longer = max(width, height)
        match_to = truth_boxes
        if clip_to_image:
            if not (width and height):
                raise ValueError(f"{coco_file}: image {image['id']} "
                                 f"({image['file_name']}) has no width and height "
                                 'to clip its boxes to')
            match_to = np.clip(truth_boxes, 0, [width, height, width, height])
        gt_match, pred_match = match_boxes(match_to, boxes, scores, 0.5)
        best_iou = (box_iou(match_to, boxes).max(axis=1) if len(boxes)
                    else np.zeros(len(anns)))
        false_boxes += int((pred_match < 0).sum())
        if not anns:
            hand_free += 1
            hand_free_answered += int(len(predicted) > 0)
        else:
            given = _instances(next(inferencer(source, bboxes=[truth_boxes])))
        for k, ann in enumerate(anns):
            kpts = np.asarray(ann['keypoints'], np.float64).reshape(-1, 3)
            visible = kpts[:, 2] > 0
            # Outside: flagged so, or (where the image's size is known) placed so.
            outside = ~visible
            if width and height:
                x, y = kpts[:, 0], kpts[:, 1]
                outside |= (x < 0) | (y < 0) | (x >= width) | (y >= height)
            record = dict(image_id=image['id'], id=ann.get('id'), instances=len(predicted),
                          found=bool(gt_match[k] >= 0),
                          best_iou=float(best_iou[k]), reaches_outside=bool(outside.any()),
                          size=(max(ann['bbox'][2:]) / longer if longer else None),
                          pck_end_to_end=None, pck_true_box=None)
            per_hand.append(record)
            try:
                side = keypoint_extent_size(kpts[:, :2], visible)
            except ValueError:
                continue  # no extent to divide by: counted for the recall only
            scored += int(visible.sum())
            errors = hand_errors(kpts[:, :2], visible, [p['keypoints'] for p in predicted])
            if errors is None:
                missed += 1
                record['pck_end_to_end'] = 0.0
            else:
                right = int((errors[visible] < thr * side).sum())
                correct_e2e += right
                record['pck_end_to_end'] = right / int(visible.sum())
            box_errors = np.linalg.norm(np.asarray(given[k]['keypoints']) - kpts[:, :2], axis=1)
            right = int((box_errors[visible] < thr * side).sum())
            correct_box += right
            record['pck_true_box'] = right / int(visible.sum())
        if progress is not None:
            progress(done, len(images))
    pck_e2e = correct_e2e / max(scored, 1)
    pck_box = correct_box / max(scored, 1)
    found = sum(hand['found'] for hand in per_hand)
    return {'images': len(images), 'hands': len(per_hand),
            'recall@0.5': found / len(per_hand) if per_hand else None,
            f'pck@{thr}_end_to_end': pck_e2e, f'pck@{thr}_true_box': pck_box,
            f'pck@{thr}_drop': pck_box - pck_e2e, 'missed_hands': missed,
            'false_boxes': false_boxes, 'hand_free_images': hand_free,
            'hand_free_with_instance': (hand_free_answered / hand_free if hand_free
                                        else None),
            'seconds': time.perf_counter() - start,
            'recall_by_group': recall_breakdown(per_hand), 'per_hand': per_hand}
