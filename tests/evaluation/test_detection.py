"""Hand-box IoU, matching, recall and precision against hand computations."""
import numpy as np
import pytest
import torch

from mmpose_mlehand.evaluation import (HandBoxRecall, box_iou, choose_fallback_threshold,
                                       choose_hand_free_threshold, choose_score_threshold,
                                       choose_whole_image_threshold, match_boxes, recall_precision)
from mmpose_mlehand.utils.boxes import kept_boxes


def test_box_iou_equals_a_hand_computation():
    a = np.array([[0, 0, 10, 10], [5, 5, 15, 25]])
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30]])
    # Overlap of a0 and b0: 5 x 10 = 50; union 100 + 100 - 50 = 150.
    # a1 (10 x 20 = 200) and b0: x 5-15, y 5-10 -> 10 x 5 = 50; union 200 + 100 - 50.
    np.testing.assert_allclose(box_iou(a, b), [[50 / 150, 0.0], [50 / 250, 0.0]])
    assert box_iou(np.zeros((0, 4)), b).shape == (0, 2)


def test_matching_takes_the_highest_score_first():
    gt = np.array([[0, 0, 10, 10]])
    pred = np.array([[0, 0, 10, 9], [0, 0, 10, 10]])
    # The lower-scored box overlaps more, but the higher-scored one (IoU 0.9)
    # is matched first; the second is then a false positive.
    gt_match, pred_match = match_boxes(gt, pred, np.array([0.9, 0.5]))
    assert gt_match.tolist() == [0] and pred_match.tolist() == [0, -1]
    gt_match, _ = match_boxes(gt, pred[:1] + [0, 0, 0, -6], np.array([0.9]))
    assert gt_match.tolist() == [-1]  # IoU 0.3 < 0.5


def test_recall_and_precision_at_the_score_threshold():
    samples = [
        # Two hands, one found (IoU 1), one missed; a kept false positive.
        (np.array([[0, 0, 10, 10], [50, 50, 60, 60]]),
         np.array([[0, 0, 10, 10], [100, 100, 110, 110], [50, 50, 60, 60]]),
         np.array([0.8, 0.6, 0.2])),  # the third box is below 0.3: dropped
        # No hand; one box below the threshold.
        (np.zeros((0, 4)), np.array([[1, 1, 5, 5]]), np.array([0.1])),
    ]
    stats = recall_precision(samples, iou_thr=0.5, score_thr=0.3)
    assert stats['recall'] == pytest.approx(1 / 2)
    assert stats['precision'] == pytest.approx(1 / 2)
    assert stats['false_per_image'] == pytest.approx(1 / 2)
    assert recall_precision(samples, score_thr=0.1)['recall'] == pytest.approx(1.0)


def test_metric_reads_mmdet_data_samples():
    metric = HandBoxRecall(iou_thr=0.5, score_thr=0.3)
    metric.process({}, [dict(
        gt_instances=dict(bboxes=torch.tensor([[0.0, 0, 10, 10]])),
        pred_instances=dict(bboxes=torch.tensor([[1.0, 0, 10, 10]]),
                            scores=torch.tensor([0.7]), labels=torch.tensor([0])))])
    result = metric.compute_metrics(metric.results)
    assert result == {'recall@0.5': 1.0, 'precision@0.5': 1.0, 'false_per_image': 0.0}


def test_score_threshold_is_the_best_f1_on_the_samples():
    gt = np.array([[0, 0, 10, 10]])
    # One image: the hand found at 0.4; a false box at 0.2.
    samples = [(gt, np.array([[0, 0, 10, 10], [50, 50, 60, 60]]), np.array([0.4, 0.2]))]
    thr, table = choose_score_threshold(samples, thresholds=(0.1, 0.3, 0.5))
    # 0.1: recall 1, precision 1/2 (F1 2/3); 0.3: 1 and 1 (F1 1); 0.5: recall 0.
    assert thr == 0.3
    assert [round(row['f1'], 4) for row in table] == [round(2 / 3, 4), 1.0, 0.0]


def test_hand_free_threshold_is_the_lowest_within_the_budget():
    hand = np.array([[0, 0, 10, 10]])
    none = np.zeros((0, 4))
    far = np.array([[50, 50, 60, 60]])
    # The hand scores 0.3; four hand-free images with a false box at 0.1,
    # 0.2, 0.25 and 0.6.
    samples = [(hand, np.array([[0, 0, 10, 10]]), np.array([0.3]))] + [
        (none, far, np.array([s])) for s in (0.1, 0.2, 0.25, 0.6)]
    # Half the hand-free images may keep a box: from 0.20 on (0.25 and 0.6).
    thr, table = choose_hand_free_threshold(samples, 0.5, step=0.05)
    assert thr == 0.2
    assert [row['hand_free_with_box'] for row in table] == [1.0, 0.75, 0.75, 0.5]
    assert table[-1]['recall'] == 1.0 and table[-1]['precision'] == pytest.approx(1 / 3)
    # A quarter: from 0.25 on (only the 0.6 box; > is kept, as everywhere).
    assert choose_hand_free_threshold(samples, 0.25, step=0.05)[0] == 0.25
    # None at all: from 0.6 on; the hand (0.3) is lost there.
    thr, table = choose_hand_free_threshold(samples, 0.0, step=0.05)
    assert thr == 0.6 and table[-1]['recall'] == 0.0
    with pytest.raises(ValueError, match='without hands'):
        choose_hand_free_threshold(samples[:1], 0.1)


def test_the_fallback_keeps_only_the_best_box_and_only_when_none_passes():
    scores = np.array([0.1, 0.25, 0.2])
    assert kept_boxes(scores, 0.3).tolist() == [False, False, False]
    assert kept_boxes(scores, 0.3, fallback_thr=0.15).tolist() == [False, True, False]
    assert kept_boxes(scores, 0.3, fallback_thr=0.25).tolist() == [False, False, False]
    # A box above the threshold: no fallback, however low it is set.
    assert kept_boxes(np.array([0.5, 0.25]), 0.3, 0.01).tolist() == [True, False]
    assert kept_boxes(np.zeros(0), 0.3, 0.1).shape == (0, )


def fallback_samples():
    hand = np.array([[0, 0, 10, 10]])
    box = np.array([[0, 0, 10, 10]])
    far = np.array([[50, 50, 60, 60]])
    return [
        (hand, box, np.array([0.5])),    # found at any threshold
        (hand, box, np.array([0.22])),   # found with a fallback below 0.22
        (hand, box, np.array([0.12])),   # found with a fallback below 0.12
        (np.zeros((0, 4)), far, np.array([0.18])),  # hand-free: a box below 0.18
        (np.zeros((0, 4)), far, np.array([0.05])),  # hand-free: a box below 0.05
    ]


def test_recall_and_hand_free_boxes_with_a_fallback():
    samples = fallback_samples()
    stats = recall_precision(samples, 0.5, 0.3)
    assert stats['recall'] == pytest.approx(1 / 3)
    assert stats['hand_free_with_box'] == 0.0
    stats = recall_precision(samples, 0.5, 0.3, fallback_thr=0.15)
    assert stats['recall'] == pytest.approx(2 / 3)
    assert stats['hand_free_with_box'] == pytest.approx(1 / 2)  # the 0.18 box
    assert stats['precision'] == pytest.approx(2 / 3)


def test_fallback_threshold_is_the_lowest_within_the_false_budget():
    samples = fallback_samples()
    # Half the hand-free images get a box below 0.18: a budget of 0.05 stops
    # at 0.18 (recall 2/3 from 0.21 down).
    thr, table = choose_fallback_threshold(samples, 0.3, max_added_false=0.05, step=0.01)
    assert thr == pytest.approx(0.18)
    assert table[0] == dict(fallback_thr=None, recall=pytest.approx(1 / 3),
                            hand_free_with_box=0.0)
    # A budget of 0.5 goes down to 0.05 (the second hand-free box at 0.05 is
    # not above it): every hand found.
    thr, _ = choose_fallback_threshold(samples, 0.3, max_added_false=0.5, step=0.01)
    assert thr == pytest.approx(0.05)
    # No recall to gain: no fallback.
    assert choose_fallback_threshold(samples[:1] + samples[3:], 0.3)[0] is None
    with pytest.raises(ValueError, match='without hands'):
        choose_fallback_threshold(samples[:3], 0.3)


def test_whole_image_threshold_is_the_lowest_within_the_made_up_budget():
    # At most 1 of 5 hand-free images may keep a hand: 0.51 keeps only the 0.9
    # one, 0.50 keeps two.
    thr, table = choose_whole_image_threshold([0.1, 0.2, 0.3, 0.5, 0.9], max_made_up=0.2)
    assert thr == pytest.approx(0.51)
    assert table[0] == dict(whole_image_thr=0.99, hand_free_kept=0.0)
    assert table[-1] == dict(whole_image_thr=0.5, hand_free_kept=0.4)
    # No image may keep one: just above the highest score.
    assert choose_whole_image_threshold([0.1, 0.9], max_made_up=0.0)[0] == pytest.approx(0.91)
    with pytest.raises(ValueError, match='needs images without hands'):
        choose_whole_image_threshold([])
    with pytest.raises(ValueError, match='keeps more than'):
        choose_whole_image_threshold([0.995, 0.999], max_made_up=0.4)
