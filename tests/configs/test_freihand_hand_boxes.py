"""FreiHAND configs crop and score by the converter's hand boxes (paper eq. 8-9),
and the ``*freihand-eval*`` configs test on the official evaluation set.

MMPose's FreiHandDataset replaces every box by the whole 224x224 image; the
dataset base keeps the annotation file's box, so an error of 20 px is 0.25 of an
80 px hand (a miss at PCK@0.2), not 0.09 of the image.
"""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmpose.registry import DATASETS, METRICS

from tests.configs.test_baseline_configs import ALGORITHMS, METHOD, leaf
from tests.helpers import QUICKSTART_CFG, flatten
from tests.helpers import load_config as load

FREIHAND = [METHOD['freihand'], METHOD['synthetic-freihand']] + [
    leaf(a, d) for a in ALGORITHMS for d in ('freihand', 'synthetic-freihand')]
# Each official-evaluation config and the training config it tests.
EVAL = [('configs/mlehand_res50_freihand-eval.py', METHOD['freihand'])] + [
    (leaf(a, 'freihand-eval'), leaf(a, 'freihand')) for a in ALGORITHMS]
# Two hands on 224x224 images, COCO boxes (x, y, w, h) that are not square.
BOXES = [[50, 60, 80, 40], [20, 30, 36, 90]]


@pytest.mark.parametrize('path', FREIHAND)
def test_freihand_configs_use_hand_boxes_and_the_paper_metrics(path):
    cfg = load(path)
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.type == 'CheckedCocoStyleDataset'
        assert dataset.metainfo == dict(from_file='configs/_base_/datasets/freihand2d.py')
        centre_scale, = [t for t in dataset.pipeline if t['type'] == 'GetBBoxCenterScale']
        assert centre_scale['padding'] == 1.25
    assert [e['type'] for e in cfg.test_evaluator] == ['HandPCK', 'HandNME', 'AUC', 'EPE']
    assert cfg.test_dataloader.dataset.ann_file == 'annotations/freihand_test.json'


@pytest.mark.parametrize('eval_path, train_path', EVAL)
def test_eval_configs_change_only_the_test_annotation_file(eval_path, train_path):
    a, b = flatten(load(train_path).to_dict()), flatten(load(eval_path).to_dict())
    changed = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    assert changed == {'test_dataloader.dataset.ann_file'}
    assert b['test_dataloader.dataset.ann_file'] == 'annotations/freihand_eval.json'


def test_quick_start_keeps_the_whole_image_box():
    cfg = load(QUICKSTART_CFG)
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.type == 'CheckedFreiHandDataset'
    assert cfg.test_evaluator[0] == dict(type='PCKAccuracy', thr=0.2)


def _write_boxes(root: str) -> None:
    keypoints = []
    for i, (x, y, w, h) in enumerate(BOXES):
        cv2.imwrite(osp.join(root, f'{i}.png'), np.zeros((224, 224, 3), np.uint8))
        # 21 keypoints spread over the box, all visible.
        t = np.linspace(0, 1, 21)
        keypoints.append(np.stack([x + w * t, y + h * t, np.ones(21)], 1))
    data = dict(
        images=[dict(id=i, file_name=f'{i}.png', width=224, height=224)
                for i in range(len(BOXES))],
        annotations=[dict(id=i, image_id=i, category_id=1, iscrowd=0, bbox=box,
                          area=box[2] * box[3], num_keypoints=21,
                          keypoints=keypoints[i].reshape(-1).tolist())
                     for i, box in enumerate(BOXES)],
        categories=[dict(id=1, name='hand')])
    with open(osp.join(root, 'freihand_test.json'), 'w') as f:
        json.dump(data, f)


def test_hand_box_crop_and_normalisation(tmp_path):
    import mmpose_mlehand.plugin  # noqa: F401  (registers the datasets and metrics)
    _write_boxes(str(tmp_path))
    cfg = load(METHOD['freihand'])
    dataset = DATASETS.build(dict(cfg.test_dataloader.dataset, data_root=str(tmp_path),
                                  ann_file='freihand_test.json'))
    samples = []
    for i, (x, y, w, h) in enumerate(BOXES):
        item = dataset[i]
        sample = item['data_samples']
        assert sample.gt_instances.bboxes[0] == pytest.approx([x, y, x + w, y + h])
        # The crop is the box x 1.25, widened to the input's aspect ratio (1:1).
        assert sample.metainfo['input_scale'] == pytest.approx([1.25 * max(w, h)] * 2)
        gt = sample.gt_instances.keypoints
        # Every keypoint 0.15 (hand 0) or 0.25 (hand 1) of the box's long side off.
        offset = (0.15 if i == 0 else 0.25) * max(w, h)
        samples.append(dict(
            ori_shape=(224, 224), input_scale=sample.metainfo['input_scale'],
            gt_instances=dict(keypoints=gt, bboxes=sample.gt_instances.bboxes,
                              keypoints_visible=sample.gt_instances.keypoints_visible),
            pred_instances=dict(keypoints=gt + [offset, 0.0])))
    pck_cfg, nme_cfg = cfg.test_evaluator[:2]
    pck, nme = METRICS.build(pck_cfg), METRICS.build(nme_cfg)
    for metric in (pck, nme):
        metric.dataset_meta = dataset.metainfo
        metric.process([], samples)
    assert pck.evaluate(2)['frame-PCK@0.2'] == pytest.approx(0.5)
    assert pck.details['box_rule'].startswith('max(w, h) of the ground-truth hand box')
    assert nme.evaluate(2)['NME'] == pytest.approx((0.15 + 0.25) / 2)
