#!/usr/bin/env python
"""Choose a bundled pose model's whole-image threshold and write it into its config.

When the detector finds no hand, the plugin's inferencer can keep the pose
model's prediction on the whole image if its mean keypoint score (1 - sigma)
reaches ``hand_whole_image_thr`` (a key of the pose model's config): a hand
that fills the frame, as in a webcam close-up, is then found even where the
detector misses it, and a photo without a hand still gets no instance unless
the pose model is confident about one. Steps (CPU, no download):

1. ``tools/make_hand_scenes.py``'s scenes of the held-out family (``val`` and
   ``test``, zero to two hands each), rendered unless ``--scenes`` holds them;
2. the pose model predicts on every whole image (MMPose's
   ``inference_topdown`` with no box);
3. the threshold is the lowest (0.99 down to 0.01) at which at most
   ``--max-made-up`` of the hand-free ``val`` scenes keep their prediction
   (:func:`~mmpose_mlehand.evaluation.choose_whole_image_threshold`); that
   share is the pose model's alone, whatever the detector;
4. on ``test``: the share of hand-free scenes that keep a (made-up) hand, and
   of close-ups (one hand whose box is at least half the frame's longer side)
   that keep theirs, with the close-ups' PCK@0.2 (a dropped one wrong;
   errors divided by the keypoint extent, the real-photo protocol);
5. ``hand_whole_image_thr`` goes into the bundled config and the figures into
   its provenance file (``whole_image_fallback``), atomically; ``--dry-run``
   only prints. Retraining the model (``tools/train_bundled_model.py``)
   writes a config without it: choose again for the new weights.

Example::

    python tools/choose_whole_image_thr.py --scenes /tmp/scenes
    python tools/choose_whole_image_thr.py --model mlehand-synthetic-hand-small \\
        --scenes /tmp/scenes --dry-run
"""
import argparse
import json
import os.path as osp
import sys
import time

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# Let `python tools/choose_whole_image_thr.py` work from a checkout that is not pip-installed.
sys.path.insert(0, REPO_ROOT)

from mmpose_mlehand.bundled import BUNDLED_DIR, DEFAULT_MODEL, POSE_MODELS  # noqa: E402

#: A close-up: one hand whose box side is at least this share of the frame's longer side.
CLOSE_UP = 0.5
#: PCK threshold of the close-ups, a share of the keypoint extent.
PCK_THR = 0.2


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--model', default=DEFAULT_MODEL, choices=sorted(POSE_MODELS),
                        help=f'the bundled pose model (default: {DEFAULT_MODEL})')
    parser.add_argument('--scenes', required=True,
                        help='scene data root (rendered here unless it holds these scenes)')
    parser.add_argument('--num', type=int, default=500,
                        help='scenes in val and in test (default: 500, as the detector\'s)')
    parser.add_argument('--seed', type=int, default=0, help='scene seed (default: 0)')
    parser.add_argument('--max-made-up', type=float, default=0.05,
                        help='largest share of hand-free val scenes that keep a hand '
                        '(default: 0.05)')
    parser.add_argument('--bundled-dir', default=BUNDLED_DIR,
                        help='where the bundled model lives (default: the package)')
    parser.add_argument('--workers', type=int, default=2, help='rendering processes')
    parser.add_argument('--threads', type=int, default=2, help='torch threads (default 2)')
    parser.add_argument('--dry-run', action='store_true',
                        help='print the choice, write nothing')
    args = parser.parse_args(argv)
    if not 0 <= args.max_made_up < 1:
        parser.error('--max-made-up must be in [0, 1)')
    return args


def ensure_scenes(root: str, num: int, seed: int, workers: int) -> None:
    """Render the held-out ``val`` and ``test`` scenes unless ``root`` holds them."""
    from mmpose_mlehand.synthetic.scene_dataset import generate_scene_dataset, holds_scenes
    counts = dict(val=num, test=num)
    if holds_scenes(root, counts, seed):
        print(f'scenes: reusing {root}', flush=True)
        return
    generate_scene_dataset(root, counts, seed=seed, workers=workers, overwrite=True)


def whole_image_predictions(model, root: str, split: str) -> list:
    """``(annotations, keypoints (K, 2), mean score, (h, w))`` per scene of a split."""
    from mmpose.apis import inference_topdown

    from mmpose_mlehand.synthetic.scene_dataset import annotation_file
    from mmpose_mlehand.utils import read_bgr
    with open(osp.join(root, annotation_file(split)), encoding='utf-8') as f:
        coco = json.load(f)
    hands = {image['id']: [] for image in coco['images']}
    for ann in coco['annotations']:
        hands[ann['image_id']].append(ann)
    rows = []
    for image in coco['images']:
        path = osp.join(root, 'images', split, image['file_name'])
        bgr = read_bgr(path, 'scene image')
        instances = inference_topdown(model, bgr)[0].pred_instances  # no box: whole image
        rows.append((hands[image['id']], instances.keypoints[0],
                     float(instances.keypoint_scores[0].mean()), bgr.shape[:2]))
    return rows


def test_figures(rows: list, thr: float) -> dict:
    """Made-up hands and kept close-ups at ``thr`` on a split's predictions."""
    import numpy as np

    from mmpose_mlehand.evaluation.functional import keypoint_extent_size
    hand_free = [score for anns, _, score, _ in rows if not anns]
    close_ups = [(anns[0], keypoints, score) for anns, keypoints, score, shape in rows
                 if len(anns) == 1 and max(anns[0]['bbox'][2:]) >= CLOSE_UP * max(shape)]
    correct = scored = kept = 0
    for ann, keypoints, score in close_ups:
        truth = np.asarray(ann['keypoints'], np.float64).reshape(-1, 3)
        visible = truth[:, 2] > 0
        scored += int(visible.sum())
        if score >= thr:
            kept += 1
            errors = np.linalg.norm(np.asarray(keypoints) - truth[:, :2], axis=1)
            size = keypoint_extent_size(truth[:, :2], visible)
            correct += int((errors[visible] <= PCK_THR * size).sum())
    # None where there is nothing to count (JSON has no NaN).
    return dict(hand_free=len(hand_free),
                hand_free_kept=float(np.mean(np.asarray(hand_free) >= thr)) if hand_free
                else None,
                close_ups=len(close_ups),
                close_ups_kept=kept / len(close_ups) if close_ups else None,
                close_up_pck=correct / scored if scored else None)


def write_threshold(config_path: str, provenance_path: str, thr: float, record: dict) -> None:
    """Set ``hand_whole_image_thr`` in the bundled config and record how, atomically."""
    from mmengine.config import Config

    from mmpose_mlehand.utils import atomic_write_json
    from mmpose_mlehand.utils.atomic_io import atomic_open
    cfg = Config.fromfile(config_path)
    cfg.hand_whole_image_thr = thr
    text = cfg.pretty_text
    with open(provenance_path, encoding='utf-8') as f:
        provenance = json.load(f)
    provenance['whole_image_fallback'] = record
    with atomic_open(config_path, 'w', encoding='utf-8') as f:
        f.write(text)
    atomic_write_json(provenance_path, provenance, indent=2)


def main(argv=None) -> dict:
    args = parse_args(argv)
    start = time.perf_counter()
    root = osp.abspath(args.scenes)
    ensure_scenes(root, args.num, args.seed, args.workers)

    import torch
    from mmpose.apis import init_model

    import mmpose_mlehand.plugin  # noqa: F401  (registries, safe checkpoint loading)
    from mmpose_mlehand.evaluation import choose_whole_image_threshold
    bundled_model = POSE_MODELS[args.model]
    config = osp.join(args.bundled_dir, f'{bundled_model.stem}.py')
    weights = osp.join(args.bundled_dir, f'{bundled_model.stem}.pth')
    torch.set_num_threads(args.threads)
    model = init_model(config, weights, device='cpu')
    val = whole_image_predictions(model, root, 'val')
    hand_free = [score for anns, _, score, _ in val if not anns]
    thr, _ = choose_whole_image_threshold(hand_free, args.max_made_up)
    test = test_figures(whole_image_predictions(model, root, 'test'), thr)
    record = dict(
        hand_whole_image_thr=thr,
        rule=f'lowest score (step 0.01) at which at most {args.max_made_up:g} of the hand-free '
        'val scenes keep their whole-image prediction',
        scenes=dict(tool='tools/make_hand_scenes.py', family='heldout', seed=args.seed,
                    val=args.num, test=args.num),
        val=dict(hand_free=len(hand_free),
                 hand_free_kept=sum(score >= thr for score in hand_free) / len(hand_free)),
        test=test,
        command=' '.join(['python', 'tools/choose_whole_image_thr.py'] + (argv or sys.argv[1:])),
        seconds=round(time.perf_counter() - start, 1))
    print(json.dumps(record, indent=2), flush=True)
    if not args.dry_run:
        write_threshold(config, osp.join(args.bundled_dir, f'{bundled_model.stem}.json'), thr,
                        record)
        print(f'hand_whole_image_thr = {thr:g} written to {config}', flush=True)
    return record


if __name__ == '__main__':
    main()
