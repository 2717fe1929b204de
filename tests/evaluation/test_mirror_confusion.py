"""The mirror-confusion measure: frames that the prediction with its fingers in
mirrored order (thumb <-> little, index <-> ring) explains better.

The hand here is an upright open hand in FreiHAND order, fingers fanned from
the thumb on the left to the little finger on the right, so that the mirror
moves every finger keypoint far (``mirror_distance`` below: 0.35 of the box).
"""
import numpy as np
import pytest
from mmpose.registry import METRICS

from mmpose_mlehand.evaluation import HandPCK
from mmpose_mlehand.evaluation import functional as F

K = 21


def open_hand(centre=(100.0, 100.0), scale=10.0) -> np.ndarray:
    """(21, 2) keypoints, image pixels: the wrist at the bottom, five straight
    fingers at -60, -30, 0, 30, 60 degrees from upright (thumb first)."""
    points = [np.zeros(2)]
    for angle in np.radians([-60, -30, 0, 30, 60]):
        direction = np.array([np.sin(angle), -np.cos(angle)])
        points += [direction * (2 + j) for j in range(4)]
    return np.asarray(centre) + scale * np.array(points)


def box_size(gt: np.ndarray) -> float:
    """max(w, h) of the keypoint extent x 1.2 (the data sets' box rule)."""
    return 1.2 * float(np.ptp(gt, axis=0).max())


def mirror_distance(gt: np.ndarray, size: float) -> float:
    """Mean distance, in box sizes, between each true keypoint and the true
    keypoint the mirror puts in its place (a plain loop, not the code under
    test)."""
    pairs = {1: 17, 2: 18, 3: 19, 4: 20, 5: 13, 6: 14, 7: 15, 8: 16}
    pairs.update({b: a for a, b in pairs.items()})
    return sum(np.hypot(*(gt[pairs.get(k, k)] - gt[k])) for k in range(K)) / K / size


def blend(gt: np.ndarray, a: float) -> np.ndarray:
    """``(1 - a) gt + a mirror(gt)``: mean error ``a D``, mirrored mean error
    ``(1 - a) D`` with D = :func:`mirror_distance`, so the mirror explains it
    better by exactly ``(2a - 1) D``."""
    return (1 - a) * gt + a * gt[list(F.FINGER_MIRROR)]


GT = open_hand()
SIZE = box_size(GT)
D = mirror_distance(GT, SIZE)


def test_the_mirror_swaps_thumb_with_little_and_index_with_ring():
    mirror = np.asarray(F.FINGER_MIRROR)
    assert sorted(mirror) == list(range(K))
    np.testing.assert_array_equal(mirror[mirror], np.arange(K))  # an involution
    np.testing.assert_array_equal(mirror[[0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20]],
                                  [0, 17, 20, 13, 16, 9, 12, 5, 8, 1, 4])
    assert D > 0.25  # the test hand: the mirror is far more than the margin


def test_perfect_predictions_are_not_confused_mirrored_truth_is():
    gt = np.stack([GT, GT + 30])
    sizes = np.full(2, SIZE)
    assert F.mirror_confusion(gt, gt, sizes).tolist() == [False, False]
    assert F.mirror_confusion_rate(gt, gt, sizes) == 0.0
    mirrored = gt[:, list(F.FINGER_MIRROR)]
    assert F.mirror_confusion(mirrored, gt, sizes).tolist() == [True, True]
    assert F.mirror_confusion_rate(mirrored, gt, sizes) == 1.0
    mixed = np.stack([gt[0], mirrored[1]])
    assert F.mirror_confusion_rate(mixed, gt, sizes) == 0.5


@pytest.mark.parametrize('margin', [0.05, 0.1])
def test_the_margin_is_honoured(margin):
    # (2a - 1) D = margin +- 0.002 box sizes: just above / just below.
    above = blend(GT, 0.5 + (margin + 0.002) / (2 * D))
    below = blend(GT, 0.5 + (margin - 0.002) / (2 * D))
    pred = np.stack([above, below])
    gt = np.stack([GT, GT])
    flags = F.mirror_confusion(pred, gt, np.full(2, SIZE), margin=margin)
    assert flags.tolist() == [True, False]
    # The normaliser is the box: the same frames with twice the box are
    # half as far off, so neither exceeds the margin.
    assert not F.mirror_confusion(pred, gt, np.full(2, 2 * SIZE), margin=margin).any()


def test_masked_keypoints_are_ignored():
    mirrored = GT[list(F.FINGER_MIRROR)]
    # Only the wrist and the middle finger visible: the mirror leaves them
    # where they are, so nothing tells the two orders apart.
    fixed = np.zeros(K, bool)
    fixed[[0, 9, 10, 11, 12]] = True
    # Thumb and little finger hidden, and off by a mile: index/ring decide.
    garbage = GT.copy()
    garbage[[1, 2, 3, 4, 17, 18, 19, 20]] = 1e6
    no_thumb_little = np.ones(K, bool)
    no_thumb_little[[1, 2, 3, 4, 17, 18, 19, 20]] = False
    pred = np.stack([mirrored, mirrored, garbage, mirrored])
    gt = np.stack([GT] * 4)
    mask = np.stack([np.ones(K, bool), fixed, no_thumb_little, np.zeros(K, bool)])
    sizes = np.full(4, SIZE)
    assert F.mirror_confusion(pred, gt, sizes, mask).tolist() == [True, False, False, False]
    # A frame without a visible keypoint is left out of the rate.
    assert F.mirror_confusion_rate(pred, gt, sizes, mask) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match='no sample has a visible keypoint'):
        F.mirror_confusion_rate(pred, gt, sizes, np.zeros((4, K), bool))


@pytest.mark.parametrize('pred, gt, norm, mask, match', [
    (np.zeros((2, 17, 2)), np.zeros((2, 17, 2)), np.ones(2), None, r'pred must be \(N, 21, 2\)'),
    (np.zeros((21, 2)), np.zeros((21, 2)), np.ones(1), None, r'pred must be \(N, 21, 2\)'),
    (np.zeros((2, 21, 3)), np.zeros((2, 21, 3)), np.ones(2), None, r'pred must be'),
    (np.zeros((2, 21, 2)), np.zeros((3, 21, 2)), np.ones(2), None, 'gt must have the shape'),
    (np.zeros((2, 21, 2)), np.zeros((2, 21, 2)), np.ones(3), None, r'norm must be \(2,\)'),
    (np.zeros((2, 21, 2)), np.zeros((2, 21, 2)), np.array([1.0, 0.0]), None, 'positive'),
    (np.zeros((2, 21, 2)), np.zeros((2, 21, 2)), np.ones(2), np.ones((2, 20)),
     r'mask must be \(2, 21\)'),
])
def test_bad_shapes_are_refused(pred, gt, norm, mask, match):
    for fn in (F.mirror_confusion, F.mirror_confusion_rate):
        with pytest.raises(ValueError, match=match):
            fn(pred, gt, norm, mask)


def test_a_negative_margin_is_refused():
    with pytest.raises(ValueError, match='margin'):
        F.mirror_confusion(GT[None], GT[None], np.array([SIZE]), margin=-0.1)
    with pytest.raises(ValueError, match='mirror_margin'):
        HandPCK(mirror_margin=-0.1)


# --- the metric ------------------------------------------------------------------


def data_sample(gt, pred, bbox, visible=None):
    """One data sample as the evaluator hands it to a metric (a dict), as in
    test_metrics.py."""
    visible = np.ones(K) if visible is None else np.asarray(visible, float)
    return dict(
        ori_shape=(224, 224),
        gt_instances=dict(keypoints=np.asarray(gt)[None], keypoints_visible=visible[None],
                          bboxes=np.asarray(bbox, np.float64)[None]),
        pred_instances=dict(keypoints=np.asarray(pred)[None]))


def hand_box(gt, scale=1.2):
    """xyxy box of the keypoint extent x ``scale`` about its centre."""
    lo, hi = gt.min(axis=0), gt.max(axis=0)
    centre, half = (lo + hi) / 2, scale * (hi - lo) / 2
    return np.concatenate([centre - half, centre + half])


def test_hand_pck_reports_the_mirror_confusion_rate():
    mirrored = GT[list(F.FINGER_MIRROR)]
    hidden_thumb_little = np.ones(K)
    hidden_thumb_little[[1, 2, 3, 4, 17, 18, 19, 20]] = 0
    samples = [
        data_sample(GT, GT, hand_box(GT)),  # perfect: no
        data_sample(GT, mirrored, hand_box(GT)),  # mirrored: yes
        # The same prediction, but a box 10x the hand: the mirror is 0.035
        # of it, within the margin (errors are normalised by the gt box).
        data_sample(GT, mirrored, hand_box(GT, 12.0)),
        # Index and ring swapped, thumb and little hidden (and far off):
        # the mirror explains the visible keypoints better: yes.
        data_sample(GT, np.where(hidden_thumb_little[:, None] > 0, mirrored, 1e4),
                    hand_box(GT), hidden_thumb_little),
    ]
    metric = METRICS.build(dict(type='HandPCK', thr=0.2))
    assert isinstance(metric, HandPCK)
    metric.process([], samples)
    result = metric.evaluate(len(samples))
    assert result['mirror-confusion'] == pytest.approx(2 / 4)
    assert metric.details['mirror-confusion'] == pytest.approx(0.5)
    assert metric.details['mirror_margin'] == 0.05
    # A wider margin than the mirror's 0.35 box sizes: nothing is confused.
    wide = HandPCK(thr=0.2, mirror_margin=0.5)
    wide.process([], samples)
    assert wide.evaluate(len(samples))['mirror-confusion'] == 0.0


def test_hand_pck_leaves_it_out_without_21_keypoints():
    gt = GT[:3]
    metric = HandPCK()
    metric.process([], [dict(
        ori_shape=(224, 224),
        gt_instances=dict(keypoints=gt[None], keypoints_visible=np.ones((1, 3)),
                          bboxes=hand_box(gt)[None]),
        pred_instances=dict(keypoints=gt[None]))])
    assert 'mirror-confusion' not in metric.evaluate(1)
