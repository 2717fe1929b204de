"""Hand-box IoU, matching, recall and precision against hand computations."""
import numpy as np
import pytest
import torch

from mmpose_mlehand.evaluation import (HandBoxRecall, box_iou, choose_score_threshold, match_boxes,
                                       recall_precision)


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
