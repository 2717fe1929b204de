"""Hand tracking in videos: box logic with a scripted predictor, and the video
demo on a generated clip."""
import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np

from mmpose_mlehand.apis.tracking import (HandTracker, MultiHandTracker, detection_to_crop_box,
                                          draw_skeleton, keypoints_to_bbox, run_video)
from tests.helpers import QUICKSTART_CFG, draw_dot_hand


class ScriptedPredictor:
    """Returns given keypoints and scores frame after frame; records the boxes."""

    def __init__(self, keypoints, scores):
        self.keypoints, self.scores, self.boxes = keypoints, scores, []

    def __call__(self, image, bboxes):
        self.boxes.append(np.asarray(bboxes, np.float32)[0])
        i = len(self.boxes) - 1
        return self.keypoints[i][None], self.scores[i][None]


def test_keypoints_to_bbox_is_a_square_around_the_keypoints():
    kpts = np.array([[10, 20], [30, 60], [25, 40]], np.float32)
    np.testing.assert_allclose(keypoints_to_bbox(kpts, box_scale=2.0), [-20, 0, 60, 80])
    np.testing.assert_allclose(keypoints_to_bbox(kpts[:1], min_size=16), [2, 12, 18, 28])


def test_tracker_follows_keypoints_and_reinitialises_on_low_scores():
    frame = np.zeros((120, 160, 3), np.uint8)
    kpts = [np.array([[40, 40], [60, 80]], np.float32) + 5 * i for i in range(5)]
    # Frame 2 drops 0.15 below the running average (0.952), frame 4 is below
    # the absolute floor; after each the tracker restarts from the given box.
    scores = [np.full(2, s, np.float32) for s in (0.95, 0.97, 0.8, 0.75, 0.4, 0.6)]
    predictor = ScriptedPredictor(kpts + kpts[:1], scores)
    tracker = HandTracker(predictor, init_bbox=[10, 10, 100, 110], reinit_score=0.5,
                          reinit_drop=0.1, box_scale=2.0)
    results = [tracker.step(frame) for _ in range(6)]
    init = np.array([10, 10, 100, 110], np.float32)
    expected = [init, keypoints_to_bbox(kpts[0]), keypoints_to_bbox(kpts[1]), init,
                keypoints_to_bbox(kpts[3]), init]
    for used, want in zip(predictor.boxes, expected):
        np.testing.assert_allclose(used, want)
    assert [r['initialised'] for r in results] == [True, False, False, True, False, True]
    assert [r['lost'] for r in results] == [False, False, True, False, True, False]
    # Without a given box the initial box is the whole frame.
    predictor = ScriptedPredictor(kpts, scores)
    HandTracker(predictor).step(frame)
    np.testing.assert_allclose(predictor.boxes[0], [0, 0, 160, 120])


def test_draw_skeleton_colours_the_bones():
    frame = np.full((50, 50, 3), 110, np.uint8)
    kpts = np.array([[10, 10], [40, 40]], np.float32)
    drawn = draw_skeleton(frame, kpts, np.ones(2), [[0, 1]], link_colors=[[255, 0, 0]],
                          keypoint_colors=[[255, 255, 255], [255, 255, 255]])
    assert tuple(drawn[25, 25]) == (0, 0, 255)  # RGB red drawn on a BGR image
    assert tuple(drawn[10, 10]) == (255, 255, 255)
    assert (frame == 110).all()  # the input is not drawn on


def write_clip(path: str, frames: int = 8, size: int = 160) -> np.ndarray:
    """A dot hand moving right by 4 px a frame (MJPG .avi); returns its keypoints."""
    rng = np.random.default_rng(0)
    base = rng.uniform(50, 110, size=(21, 2))
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 10, (size, size))
    tracks = []
    for i in range(frames):
        kpts = base + [4 * i - 14, 0]
        tracks.append(kpts)
        writer.write(draw_dot_hand(kpts, (size, size), radius=4))
    writer.release()
    return np.stack(tracks)


def read_frames(path: str) -> list:
    capture = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def test_run_video_with_a_scripted_predictor_draws_every_frame(tmp_path):
    clip = str(tmp_path / 'clip.avi')
    tracks = write_clip(clip)
    predictor = ScriptedPredictor(list(tracks.astype(np.float32)),
                                  [np.ones(21, np.float32)] * len(tracks))
    meta = dict(skeleton_links=[[0, k] for k in range(1, 21)])
    out = str(tmp_path / 'out.mp4')
    summary = run_video(predictor, clip, out, meta, log=None, draw_bbox=False)
    assert summary['frames'] == len(tracks) and summary['reinitialised'] == [0]
    assert summary['fps'] > 0 and summary['model_fps'] > 0
    drawn, original = read_frames(out), read_frames(clip)
    assert len(drawn) == len(original) == len(tracks)
    for frame, source, kpts in zip(drawn, original, tracks):
        # Bone midpoints are drawn green over the grey background.
        mids = ((kpts[0] + kpts[1:]) / 2).round().astype(int)
        changed = np.abs(frame.astype(int) - source.astype(int)).max(axis=-1)
        assert (changed[mids[:, 1], mids[:, 0]] > 40).mean() > 0.8


def test_video_demo_writes_one_skeleton_per_frame(repo_root, trained_checkpoint, tmp_path):
    _, checkpoint = trained_checkpoint
    clip = str(tmp_path / 'clip.avi')
    tracks = write_clip(clip, frames=6)
    out, out_json = str(tmp_path / 'vis.mp4'), str(tmp_path / 'vis.json')
    proc = subprocess.run(
        [sys.executable, osp.join(repo_root, 'tools/video_demo.py'), clip, '--config',
         osp.join(repo_root, QUICKSTART_CFG), '--checkpoint', checkpoint, '--fast', '--out',
         out, '--out-json', out_json, '--bbox', '0', '0', '160', '160'],
        cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'fps prediction' in proc.stdout and 'fps end to end' in proc.stdout
    with open(out_json) as f:
        summary = json.load(f)
    keypoints = np.asarray(summary['keypoints'])
    assert keypoints.shape == (len(tracks), 21, 2) and np.isfinite(keypoints).all()
    assert summary['reinitialised'][0] == 0
    drawn, original = read_frames(out), read_frames(clip)
    assert len(drawn) == len(tracks)
    meta_links = [[0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 6], [6, 7], [7, 8], [0, 9],
                  [9, 10], [10, 11], [11, 12], [0, 13], [13, 14], [14, 15], [15, 16],
                  [0, 17], [17, 18], [18, 19], [19, 20]]
    for frame, source, kpts in zip(drawn, original, keypoints):
        # The predicted skeleton of that frame is drawn on it: bone midpoints
        # (inside the frame) changed colour.
        mids = np.array([(kpts[i] + kpts[j]) / 2 for i, j in meta_links]).round().astype(int)
        inside = ((mids >= 2) & (mids < 158)).all(axis=1)
        assert inside.sum() >= 10
        changed = np.abs(frame.astype(int) - source.astype(int)).max(axis=-1)
        assert (changed[mids[inside, 1], mids[inside, 0]] > 40).mean() > 0.7


class ScriptedDetector:
    """Returns given boxes and scores frame after frame; records the frames it ran on."""

    def __init__(self, per_frame):
        self.per_frame, self.calls = per_frame, []

    def __call__(self, image):
        index = int(image[0, 0, 0])  # the frame number is written in the pixel
        self.calls.append(index)
        boxes, scores = self.per_frame.get(index, ([], []))
        return np.asarray(boxes, np.float32).reshape(-1, 4), np.asarray(scores, np.float32)


class BoxPredictor:
    """Keypoints spanning each crop's middle (extent: the side / 1.5, the
    tracker's default crop scale), with given mean scores per frame."""

    def __init__(self, scores=None):
        self.scores, self.boxes = scores or {}, []

    def __call__(self, image, bboxes):
        index = int(image[0, 0, 0])
        self.boxes.append(np.asarray(bboxes, np.float32))
        kpts, scores = [], []
        for box in np.asarray(bboxes, np.float32):
            center, extent = (box[:2] + box[2:]) / 2, (box[2] - box[0]) / 1.5
            kpts.append(np.stack([center - extent / 2, center + extent / 2]))
            scores.append(np.full(2, self.scores.get(index, 0.5), np.float32))
        return np.asarray(kpts, np.float32), np.asarray(scores, np.float32)


def frames(n):
    out = []
    for i in range(n):
        frame = np.zeros((240, 320, 3), np.uint8)
        frame[0, 0, 0] = i
        out.append(frame)
    return out


def test_multi_hand_tracker_starts_from_detections_and_keeps_well_tracked_hands():
    hand_a, hand_b = [40, 40, 100, 100], [200, 60, 260, 120]
    # Frame 0 sees both hands; later detections keep seeing them.
    detector = ScriptedDetector({i: ([hand_a, hand_b], [0.9, 0.8]) for i in range(30)})
    predictor = BoxPredictor()  # mean score 0.5: near the real hands' scores
    tracker = MultiHandTracker(predictor, detector, max_hands=2, redetect_every=10)
    results = [tracker.step(f) for f in frames(25)]
    assert [len(r['hands']) for r in results] == [2] * 25
    assert {h['id'] for r in results for h in r['hands']} == {0, 1}  # never restarted
    assert detector.calls == [0, 10, 20]
    assert [h['initialised'] for h in results[0]['hands']] == [True, True]
    assert not any(h['initialised'] for r in results[1:] for h in r['hands'])
    # The first crop is the detection grown to the tracking scale, square.
    np.testing.assert_allclose(predictor.boxes[0][0],
                               detection_to_crop_box(np.array(hand_a, np.float32), 1.5))


def test_multi_hand_tracker_drops_a_hand_the_detector_no_longer_sees():
    hand = [40, 40, 100, 100]
    # Seen at frame 0 only: the confirmation at frame 10 misses, the one at 11
    # misses again (patience 2): frame 11 no longer shows the hand.
    detector = ScriptedDetector({0: ([hand], [0.9])})
    tracker = MultiHandTracker(BoxPredictor(), detector, max_hands=2, redetect_every=10,
                               miss_patience=2)
    counts = [len(tracker.step(f)['hands']) for f in frames(14)]
    assert counts == [1] * 11 + [0] * 3
    assert detector.calls == [0, 10, 11, 12, 13]  # no hand: the detector runs every frame


def test_multi_hand_tracker_loses_a_hand_on_a_score_collapse_and_redetects():
    hand = [40, 40, 100, 100]
    detector = ScriptedDetector({i: ([hand], [0.9]) for i in range(10)})
    predictor = BoxPredictor({3: 0.1})  # frame 3 collapses below min_score 0.2
    tracker = MultiHandTracker(predictor, detector, redetect_every=10, min_score=0.2)
    results = [tracker.step(f) for f in frames(6)]
    assert [h['lost'] for h in results[3]['hands']] == [True]
    assert detector.calls == [0, 4]
    assert results[4]['hands'][0]['initialised'] and results[4]['hands'][0]['id'] == 1
    # Detections below the score threshold start nothing.
    weak = ScriptedDetector({0: ([hand], [0.25])})
    assert MultiHandTracker(BoxPredictor(), weak).step(frames(1)[0])['hands'] == []


def test_run_video_follows_two_hands_with_a_detector(tmp_path):
    clip = str(tmp_path / 'clip.avi')
    write_clip(clip, frames=6)
    hand_a, hand_b = [10, 10, 60, 60], [90, 90, 150, 150]

    def detector(image):
        return np.array([hand_a, hand_b], np.float32), np.array([0.9, 0.8], np.float32)

    summary = run_video(BoxPredictor(), clip, None, {}, log=None, detector=detector,
                        max_hands=2)
    assert [len(hands) for hands in summary['hands']] == [2] * 6
    assert summary['reinitialised'] == [0] and summary['detections'] == 1
    assert summary['keypoints'].shape == (6, 2, 2) and np.isfinite(summary['keypoints']).all()


def test_bundled_models_hold_a_moving_hand_without_restarting(tmp_path):
    """The bundled detector and pose model on a rendered clip (a one-hand scene
    sliding 3 px a frame): one track from the first frame to the last."""
    from mmpose_mlehand.apis.detector import MMDetHandDetector
    from mmpose_mlehand.apis.predictor import TopdownHandPredictor
    from mmpose_mlehand.bundled import DEFAULT_MODEL, bundled_model_files
    from mmpose_mlehand.synthetic.hand_scenes import render_hand_scene
    detector = MMDetHandDetector()
    # A scene whose hand the detector finds in the first frame (what is tested
    # is holding a found hand, not the detector's recall).
    for index in range(100):
        scene = render_hand_scene(0, 'test', index, 'heldout')
        image = np.ascontiguousarray(scene.image[..., ::-1])
        if len(scene.hands) == 1 and scene.hands[0].in_frame.all():
            boxes, scores = detector(image)
            if len(scores) and scores[0] > 0.3:
                break
    h, w = image.shape[:2]
    clip = str(tmp_path / 'slide.avi')
    writer = cv2.VideoWriter(clip, cv2.VideoWriter_fourcc(*'MJPG'), 10, (w, h))
    for i in range(24):
        shift = np.float32([[1, 0, 3 * i - 36], [0, 1, 0]])
        writer.write(cv2.warpAffine(image, shift, (w, h), borderMode=cv2.BORDER_REPLICATE))
    writer.release()
    predictor = TopdownHandPredictor(*bundled_model_files(DEFAULT_MODEL))
    summary = run_video(predictor, clip, None, predictor.meta, log=None,
                        detector=detector, max_hands=2)
    ids = [[hand['id'] for hand in hands] for hands in summary['hands']]
    # The hand is followed in every frame, by at most two tracks in turn
    # (measured with the shipped models: one restart, at frame 7), and the
    # detector runs on a minority of the frames.
    assert all(frame_ids for frame_ids in ids), str(ids)
    assert len({frame_ids[0] for frame_ids in ids}) <= 2, str(ids)
    assert summary['detections'] <= 8


def test_multi_hand_tracker_starts_from_a_fallback_detection_only_when_none_passes():
    hand, other = [40, 40, 100, 100], [200, 60, 260, 120]
    # Frame 0: one unsure detection (0.2); frame 10: a sure one elsewhere and
    # the unsure hand again, which then confirms nothing.
    detector = ScriptedDetector({0: ([hand], [0.2]), 10: ([hand, other], [0.2, 0.9])})
    plain = MultiHandTracker(BoxPredictor(), ScriptedDetector(detector.per_frame))
    assert len(plain.step(frames(1)[0])['hands']) == 0
    tracker = MultiHandTracker(BoxPredictor(), detector, max_hands=2, det_fallback_thr=0.1)
    results = [tracker.step(f) for f in frames(12)]
    assert [len(r['hands']) for r in results[:10]] == [1] * 10
    np.testing.assert_allclose(results[0]['hands'][0]['bbox'],
                               detection_to_crop_box(np.array(hand, np.float32), 1.5))
    # At frame 10 the 0.9 box passes: the 0.2 box is no fallback, so the
    # tracked hand misses a confirmation and the new hand starts.
    assert results[10]['detected'] and len(results[10]['hands']) == 2
    assert [h['initialised'] for h in results[10]['hands']] == [False, True]


def test_video_demo_takes_the_bundled_detectors_thresholds_unless_told(repo_root):
    import importlib.util
    from argparse import Namespace

    from mmengine.config import Config

    from mmpose_mlehand.bundled import DEFAULT_DETECTOR, bundled_model_files
    spec = importlib.util.spec_from_file_location(
        'video_demo', osp.join(repo_root, 'tools', 'video_demo.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    cfg = Config.fromfile(bundled_model_files(DEFAULT_DETECTOR)[0])
    args = Namespace(det_config=None, det_onnx=None, det_score_thr=None, det_fallback_thr=None)
    assert tool.detection_thresholds(args) == dict(
        det_score_thr=cfg.hand_score_thr, det_fallback_thr=cfg.get('hand_fallback_thr'))
    args.det_onnx = 'other.onnx'
    assert tool.detection_thresholds(args) == dict(det_score_thr=0.3, det_fallback_thr=None)
    args.det_score_thr, args.det_fallback_thr = 0.6, 0.2
    assert tool.detection_thresholds(args) == dict(det_score_thr=0.6, det_fallback_thr=0.2)


def test_multi_hand_tracker_starts_from_a_confident_whole_frame_prediction():
    # The detector never sees the hand; the pose model scores 0.7 (frames
    # 0-9) and then 0.5 (a fall of 0.2: within the default score_drop).
    detector = ScriptedDetector({})
    scores = {i: 0.7 if i < 10 else 0.5 for i in range(40)}
    assert MultiHandTracker(BoxPredictor(scores), ScriptedDetector({})).step(
        frames(1)[0])['hands'] == []  # without the threshold: the detector alone
    predictor = BoxPredictor(scores)
    tracker = MultiHandTracker(predictor, detector, redetect_every=10, miss_patience=2,
                               whole_image_thr=0.6)
    results = [tracker.step(f) for f in frames(25)]
    # Frame 0: the whole frame, then the crop around its keypoints.
    np.testing.assert_allclose(predictor.boxes[0], [[0, 0, 320, 240]])
    whole_keypoints = np.array([[160 - 320 / 3, 120 - 320 / 3], [160 + 320 / 3, 120 + 320 / 3]],
                               np.float32)
    np.testing.assert_allclose(results[0]['hands'][0]['bbox'],
                               keypoints_to_bbox(whole_keypoints, 1.5), atol=1e-3)
    assert results[0]['hands'][0]['initialised']
    # Confirmed by its running score at frame 10 (0.7); at frame 20 it is
    # 0.7 - 0.2 (1 - 0.9^10) = 0.57 < 0.6: a miss, and another at frame 21
    # (patience 2) drops it there; a whole frame scoring 0.5 starts nothing.
    counts = [len(r['hands']) for r in results]
    assert counts == [1] * 21 + [0] * 4, counts
    assert {h['id'] for r in results for h in r['hands']} == {0}


def test_video_demo_takes_the_pose_models_whole_image_threshold_unless_told(repo_root):
    import argparse
    import importlib.util
    from argparse import Namespace

    import pytest
    from mmengine.config import Config

    from mmpose_mlehand.bundled import DEFAULT_MODEL, bundled_model_files
    spec = importlib.util.spec_from_file_location(
        'video_demo', osp.join(repo_root, 'tools', 'video_demo.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    thr = Config.fromfile(bundled_model_files(DEFAULT_MODEL)[0]).get('hand_whole_image_thr')
    assert thr is not None
    args = Namespace(whole_image_thr=None, onnx=None, config=None, model=None, fast=False,
                     device='cpu', threads=None, checkpoint=None)
    bundled = tool.build_predictor(args)
    assert tool.whole_image_threshold(args, bundled) == thr
    onnx_like = object()  # an ONNX predictor carries no config to read it from
    assert tool.whole_image_threshold(args, onnx_like) is None
    args.whole_image_thr = tool.whole_image_thr_arg('0.8')
    assert tool.whole_image_threshold(args, onnx_like) == 0.8
    args.whole_image_thr = tool.whole_image_thr_arg('off')
    assert tool.whole_image_threshold(args, bundled) is None
    for bad in ('1.5', 'high'):
        with pytest.raises(argparse.ArgumentTypeError, match='score in'):
            tool.whole_image_thr_arg(bad)
