"""The hand detector's config: built from mmdet's registry, trains without NaN on
a few generated scenes, and the bundled-detector tool's helpers."""
import importlib.util
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmpose_mlehand.synthetic.scene_dataset import annotation_file, generate_scene_dataset
from mmpose_mlehand.utils.schedules import set_training_epochs

CONFIG = 'configs/detection/rtmdet-nano_synthetic-scenes-320x320.py'
#: The same recipe with colour augmentation that hides skin colour.
COLOUR_CONFIG = 'configs/detection/rtmdet-nano_synthetic-scenes-colour-320x320.py'


@pytest.fixture(scope='module')
def scene_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scenes') / 'data')
    generate_scene_dataset(root, dict(train=8, val=4, test=4), seed=0, progress=False)
    return root


def load_tool(repo_root):
    spec = importlib.util.spec_from_file_location(
        'train_bundled_detector', osp.join(repo_root, 'tools', 'train_bundled_detector.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


@pytest.mark.parametrize('config', [CONFIG, COLOUR_CONFIG])
def test_config_builds_rtmdet_nano_from_mmdets_registry(repo_root, config):
    from mmdet.models import RTMDet
    from mmdet.registry import MODELS
    cfg = Config.fromfile(osp.join(repo_root, config))
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    assert isinstance(model, RTMDet)
    assert model.bbox_head.num_classes == 1
    assert cfg.model.backbone.init_cfg is None  # no download
    parameters = sum(p.numel() for p in model.parameters())
    assert 1e6 < parameters < 3e6  # RTMDet-nano widths with plain convolutions
    assert cfg.train_dataloader.dataset.filter_cfg.filter_empty_gt is False
    assert cfg.train_dataloader.drop_last is True


@pytest.mark.parametrize('config', [CONFIG, COLOUR_CONFIG])
def test_training_iterations_keep_every_weight_finite(repo_root, scene_root, tmp_path, config):
    tool = load_tool(repo_root)
    cfg = Config.fromfile(osp.join(repo_root, config))
    tool.point_at_data(cfg, scene_root + '/')
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.num_workers = 0
    cfg.val_dataloader.num_workers = 0
    cfg.test_dataloader.num_workers = 0
    set_training_epochs(cfg, 1)
    cfg.default_hooks.logger.interval = 1
    # Two updates leave a network whose boxes are all degenerate, which COCO
    # evaluation cannot score: validation is for trained models.
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint.save_best = None
    torch.manual_seed(0)
    runner = Runner.from_cfg(cfg)
    before = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    assert len(losses) == 2 and all(math.isfinite(v) for v in losses)
    after = runner.model.state_dict()
    assert all(torch.isfinite(v).all() for v in after.values())
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert any(k.startswith('bbox_head.') for k in changed)
    assert any(k.startswith('backbone.') for k in changed)


def test_colour_recipe_changes_only_the_colour_steps_and_grays_a_fifth(repo_root, scene_root):
    import cv2
    import numpy as np
    from mmcv.transforms import Compose
    from mmdet.structures.bbox import HorizontalBoxes
    base = Config.fromfile(osp.join(repo_root, CONFIG))
    colour = Config.fromfile(osp.join(repo_root, COLOUR_CONFIG))
    steps = [s['type'] for s in colour.train_dataloader.dataset.pipeline]
    assert steps == [s['type'] for s in base.train_dataloader.dataset.pipeline
                     if s['type'] != 'YOLOXHSVRandomAug'][:4] + [
        'PhotoMetricDistortion', 'RandomGrayscale', 'RandomFlip', 'Pad', 'PackDetInputs']
    rest = ('train_pipeline', 'train_dataloader', 'colour_transforms', 'filename', 'text',
            'pretty_text')
    base_dict, colour_dict = base.to_dict(), colour.to_dict()
    assert {k: v for k, v in colour_dict.items() if k not in rest} == {
        k: v for k, v in base_dict.items() if k not in rest}
    # Without loading: the colour steps only, on a rendered scene.
    pipeline = [s for s in colour.train_dataloader.dataset.pipeline
                if s['type'] in ('PhotoMetricDistortion', 'RandomGrayscale')]
    with DefaultScope.overwrite_default_scope('mmdet'):
        transform = Compose(pipeline)
    image = cv2.imread(osp.join(scene_root, 'images', 'train', '000000.jpg'))
    np.random.seed(0)
    grays = changed = 0
    for _ in range(200):
        out = transform(dict(img=image.copy(), img_shape=image.shape[:2],
                             gt_bboxes=HorizontalBoxes(np.zeros((0, 4), np.float32))))['img']
        assert out.shape == image.shape
        grays += bool((out == out[..., :1]).all())
        changed += bool(np.abs(out.astype(np.float32) - image).mean() > 1)
    # 200 draws at probability 0.2: 40 expected, 99.9% of draws within 20-62.
    assert 20 <= grays <= 62
    assert changed >= 150  # the photometric steps fire on most images


def test_point_at_data_moves_every_loader_and_evaluator(repo_root):
    tool = load_tool(repo_root)
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    tool.point_at_data(cfg, '/somewhere/')
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.data_root == '/somewhere/'
    for split in ('val', 'test'):
        coco = [e for e in cfg[f'{split}_evaluator'] if 'ann_file' in e]
        assert [e.ann_file for e in coco] == [osp.join('/somewhere/', annotation_file(split))]


def test_tool_continues_the_bundled_detector_and_bundles_it(repo_root, tmp_path):
    """A smoke run of the tool from the bundled weights (from scratch, a
    network this short-trained finds nothing COCO can score): the bundled
    files, the chosen thresholds in the config, the earlier record kept."""
    import json
    import shutil

    from mmpose_mlehand.bundled import DEFAULT_DETECTOR, bundled_model_files
    tool = load_tool(repo_root)
    config, weights = bundled_model_files(DEFAULT_DETECTOR)
    stem = osp.splitext(osp.basename(config))[0]
    out_dir = tmp_path / 'bundled'
    out_dir.mkdir()
    shutil.copy(osp.splitext(config)[0] + '.json', out_dir / f'{stem}.json')
    with open(out_dir / f'{stem}.json', encoding='utf-8') as f:
        earlier = json.load(f)
    args = ['--work-dir', str(tmp_path / 'work'), '--out-dir', str(out_dir),
            '--num-train', '16', '--num-eval', '24', '--epochs', '1', '--workers', '1',
            '--load-from', weights, '--cfg-options', 'train_dataloader.num_workers=0',
            'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0']
    tool.main(args)
    with open(out_dir / f'{stem}.json', encoding='utf-8') as f:
        record = json.load(f)
    assert record['load_from'] == osp.basename(weights)
    assert record['data']['layout'] == 'default'
    assert record['previous_stage'] == earlier
    assert record['resumed'] is False
    assert record['seconds']['train_calls'] == 1
    first_train_seconds = record['seconds']['train']
    shipped = Config.fromfile(str(out_dir / f'{stem}.py'))
    assert shipped.hand_score_thr == record['operating_point']['score_thr']
    # The fallback is measured, not shipped, without --ship-fallback.
    assert shipped.hand_fallback_thr is None
    assert record['operating_point']['fallback_shipped'] is False
    assert shipped.train_dataloader.dataset.data_root == tool.SHIPPED_DATA_ROOT
    for split in ('test', 'test_seen'):
        assert 0 <= record['metrics'][split]['hand/recall@0.5'] <= 1
    # The same command again (resumed, nothing left to train): the earlier
    # record stays the previous stage, not this run's own.
    tool.main(args)
    with open(out_dir / f'{stem}.json', encoding='utf-8') as f:
        record = json.load(f)
    assert record['previous_stage'] == earlier
    # Its seconds count this call only, and the record says so; the tally
    # adds both calls.
    assert record['resumed'] is True
    seconds = record['seconds']
    assert seconds['train_calls'] == 2
    expected = seconds['train'] + first_train_seconds
    assert seconds['train_all_calls'] == pytest.approx(expected, abs=0.11)
    # Bundled elsewhere (an empty --out-dir): the record beside the weights
    # it started from is the previous stage.
    other_dir = tmp_path / 'elsewhere'
    other_dir.mkdir()
    # (And its threshold chosen by made-up hands instead of F1.)
    tool.main([*args[:2], '--out-dir', str(other_dir), *args[4:], '--max-hand-free', '0.5'])
    with open(other_dir / f'{stem}.json', encoding='utf-8') as f:
        record = json.load(f)
    assert record['previous_stage'] == earlier
    point = record['operating_point']
    assert 'at most 0.5 of the hand-free' in point['chosen_on']
    assert point['val_table'][-1]['score_thr'] == point['score_thr']
    assert point['val_table'][-1]['hand_free_with_box'] <= 0.5
    assert all(row['hand_free_with_box'] > 0.5 for row in point['val_table'][:-1])
    assert Config.fromfile(str(other_dir / f'{stem}.py')).hand_score_thr == point['score_thr']
    # Other scenes in the same work folder: refused before a scene is
    # rendered, not resumed as if it were the run asked for.
    with pytest.raises(ValueError, match=r'another run \(it differs in scenes\.layout\)'):
        tool.main([*args, '--scene-layout', 'close-up'])
    with open(tmp_path / 'work' / 'data' / 'scene_meta.json', encoding='utf-8') as f:
        assert json.load(f).get('layout', 'default') == 'default'
