"""The bundled model: packaging, lookup by short name, and the shipped files."""
import json
import os.path as osp
import re
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.apis import MMPoseInferencer
from mmpose.registry import MODELS

import mmpose_mlehand.bundled as bundled
from mmpose_mlehand.bundled import (BUNDLED_MODELS, DEFAULT_DETECTOR, POSE_MODELS,
                                    bundled_model_files)
from mmpose_mlehand.bundled.packaging import (RUN_STAMP_FILE, TRAIN_SECONDS_FILE, add_train_seconds,
                                              cast_state_dict, check_run_stamp, seconds_record,
                                              write_bundled_model)
from tests.helpers import REPO_ROOT

NAME = 'mlehand-synthetic-hand'
MODEL = BUNDLED_MODELS[NAME]
RECIPE = osp.join(REPO_ROOT, MODEL.recipe)


@pytest.fixture(scope='module')
def training_checkpoint(tmp_path_factory):
    """A checkpoint as MMEngine's runner writes it (weights, meta, optimizer)."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo

    import mmpose_mlehand.plugin  # noqa: F401
    torch.manual_seed(0)
    cfg = Config.fromfile(RECIPE)
    model = MODELS.build(cfg.model)
    model.init_weights()
    # Non-trivial BatchNorm statistics, so that a lost buffer would show.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
    path = str(tmp_path_factory.mktemp('train') / 'epoch_1.pth')
    optimizer = torch.optim.Adam(model.parameters())
    dataset_meta = parse_pose_metainfo(dict(cfg.test_dataloader.dataset.metainfo))
    torch.save(dict(state_dict=model.state_dict(), optimizer=optimizer.state_dict(),
                    meta=dict(dataset_meta=dataset_meta, epoch=1)), path)
    return cfg, model, path


def test_slim_weights_equal_the_trained_ones(training_checkpoint, tmp_path):
    cfg, model, checkpoint = training_checkpoint
    weights, config = str(tmp_path / 'm.pth'), str(tmp_path / 'm.py')
    size = write_bundled_model(checkpoint, cfg, weights, config)
    assert size == osp.getsize(weights) < osp.getsize(checkpoint)
    saved = torch.load(weights, map_location='cpu', weights_only=True)
    assert set(saved) == {'state_dict', 'meta'} and set(saved['meta']) == {'dataset_meta'}
    assert saved['meta']['dataset_meta']['num_keypoints'] == 21
    reference = model.state_dict()
    assert saved['state_dict'].keys() == reference.keys()
    assert all(torch.equal(saved['state_dict'][k], reference[k]) for k in reference)
    # The flat config builds the same model with no _base_.
    flat = Config.fromfile(config)
    assert not re.search(r'^_base_\s*=', open(config).read(), re.MULTILINE)
    assert flat.model == cfg.model


def test_half_precision_weights_are_rounded_not_changed():
    state = {'w': torch.tensor([1.0, 1e-3, 3.14159]), 'n': torch.tensor(7)}
    half = cast_state_dict(state, torch.float16)
    assert half['w'].dtype == torch.float16 and half['n'].dtype == torch.int64
    assert torch.allclose(half['w'].float(), state['w'], rtol=1e-3)
    assert half['w'].data_ptr() != state['w'].data_ptr()


def test_inferencer_finds_the_model_by_its_short_name(training_checkpoint, tmp_path, monkeypatch):
    cfg, model, checkpoint = training_checkpoint
    monkeypatch.setattr(bundled, 'BUNDLED_DIR', str(tmp_path))
    write_bundled_model(checkpoint, cfg, MODEL.weights, MODEL.config)
    assert bundled_model_files(NAME) == (str(tmp_path / f'{MODEL.stem}.py'),
                                         str(tmp_path / f'{MODEL.stem}.pth'))
    inferencer = MMPoseInferencer(pose2d=NAME, det_model='whole_image', device='cpu')
    loaded = inferencer.inferencer.model.state_dict()
    reference = model.state_dict()
    assert all(torch.equal(loaded[k], reference[k]) for k in reference)
    image = np.random.default_rng(0).integers(0, 255, (120, 160, 3), np.uint8)
    result = next(inferencer(image, bboxes=[[[30, 20, 110, 100]]]))
    instance, = result['predictions'][0]
    assert np.asarray(instance['keypoints']).shape == (21, 2)
    scores = np.asarray(instance['keypoint_scores'])
    assert scores.shape == (21,) and np.all((scores >= 0) & (scores <= 1))


def test_missing_files_and_unknown_names_say_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(KeyError, match=NAME):
        bundled_model_files('no-such-model')
    monkeypatch.setattr(bundled, 'BUNDLED_DIR', str(tmp_path))
    with pytest.raises(FileNotFoundError, match='make bundled-model'):
        bundled_model_files(NAME)


def test_module_prints_the_paths():
    out = subprocess.run([sys.executable, '-m', 'mmpose_mlehand.bundled'], cwd=REPO_ROOT,
                         capture_output=True, text=True, check=True).stdout
    for model in BUNDLED_MODELS.values():
        assert model.name in out and model.weights in out and model.config in out
        # One line per model: name, size, use and measured accuracy.
        line, = [li for li in out.splitlines() if li.startswith(f'{model.name}: ')]
        size = osp.getsize(model.weights) / 2**20
        assert f'{size:.1f} MiB' in line and model.purpose in line
        with open(model.provenance, encoding='utf-8') as f:
            metrics = json.load(f)['metrics']
        shown = (metrics['heldout']['PCK@0.2'] if model.kind == 'pose'
                 else metrics['test']['coco/bbox_mAP_50'])
        assert f'{shown:.3f}' in line and 'held-out synthetic data' in line
    default = subprocess.run([sys.executable, '-m', 'mmpose_mlehand.bundled', 'weights'],
                             cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    assert default.strip() == MODEL.weights


@pytest.mark.parametrize('name', sorted(POSE_MODELS))
def test_shipped_model_predicts_a_hand_offline(name):
    """The files in the package: provenance, size, and 21 keypoints with scores."""
    import mmpose_mlehand.plugin  # noqa: F401
    model = BUNDLED_MODELS[name]
    config, weights = bundled_model_files(name)
    with open(model.provenance, encoding='utf-8') as f:
        provenance = json.load(f)
    assert (provenance['model'], provenance['summary']) == (name, model.summary)
    assert provenance['recipe'] == model.recipe
    assert provenance['weights_bytes'] == osp.getsize(weights) < 20 * 2**20
    assert set(provenance['metrics']) == {'train', 'heldout', 'gap'}
    # The flat config builds the recipe's model.
    assert Config.fromfile(config).model == Config.fromfile(
        osp.join(REPO_ROOT, model.recipe)).model
    inferencer = MMPoseInferencer(pose2d=name, det_model='whole_image', device='cpu')
    image = np.full((96, 96, 3), 128, np.uint8)
    instance, = next(inferencer(image))['predictions'][0]
    assert np.asarray(instance['keypoints']).shape == (21, 2)
    assert np.all(np.isfinite(instance['keypoint_scores']))


def test_shipped_detector_files_and_provenance():
    model = BUNDLED_MODELS[DEFAULT_DETECTOR]
    config, weights = bundled_model_files(DEFAULT_DETECTOR)
    with open(model.provenance, encoding='utf-8') as f:
        provenance = json.load(f)
    assert (provenance['model'], provenance['summary']) == (model.name, model.summary)
    assert provenance['recipe'] == model.recipe
    assert provenance['weights_bytes'] == osp.getsize(weights) < 20 * 2**20
    assert set(provenance['metrics']) == {'test', 'test_seen', 'gap'}
    assert provenance['data']['test']['family'] == 'heldout'
    flat = Config.fromfile(config)

    # The shipped weights load strictly into the recipe's model.
    from mmdet.registry import MODELS as DET_MODELS
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        recipe_model = DET_MODELS.build(Config.fromfile(osp.join(REPO_ROOT, model.recipe)).model)
    state = torch.load(weights, map_location='cpu', weights_only=True)['state_dict']
    recipe_model.load_state_dict(state, strict=True)
    assert flat.model.bbox_head.num_classes == 1
    # The flat config points at the documented data folder, not a machine's.
    assert flat.train_dataloader.dataset.data_root == 'data/hand_scenes/'
    saved = torch.load(weights, map_location='cpu', weights_only=True)
    assert saved['meta']['dataset_meta']['classes'] == ('hand', )
    # Its test loader is the held-out test split (not the last split evaluated).
    assert flat.test_dataloader.dataset.ann_file == 'annotations/hand_scenes_test.json'
    assert 0 < flat.hand_score_thr < 1


def test_training_seconds_add_up_over_the_calls_that_trained(tmp_path):
    train_dir = str(tmp_path / 'train')
    assert add_train_seconds(train_dir, 100.04) == dict(calls=1, seconds=100.0)
    # An interrupted run resumed: the second call's seconds are added.
    assert add_train_seconds(train_dir, 50.5) == dict(calls=2, seconds=150.5)
    (tmp_path / 'train' / TRAIN_SECONDS_FILE).write_text('[1, 2]')
    with pytest.raises(ValueError, match=TRAIN_SECONDS_FILE):
        add_train_seconds(train_dir, 1.0)


def test_the_provenance_seconds_hold_this_call_and_the_tally():
    start = time.perf_counter() - 300.0  # a call that started five minutes ago
    record = seconds_record(12.34, 250.06, dict(calls=2, seconds=400.5), start)
    total = record.pop('total')
    assert record == dict(data=12.3, train=250.1, train_all_calls=400.5, train_calls=2)
    assert 300.0 <= total < 330.0


def test_a_work_folder_resumes_only_the_run_it_holds(tmp_path):
    train_dir = tmp_path / 'train'
    stamp = dict(data=dict(seed=0, layout='default'),
                 config=dict(train_cfg=dict(max_epochs=4), scale=(320, 320)))
    assert check_run_stamp(str(train_dir), stamp) is False  # a new folder: stamp written
    assert json.loads((train_dir / RUN_STAMP_FILE).read_text())['config']['scale'] == [320, 320]
    # No checkpoint yet (a first call stopped before its first epoch): another
    # run may take the folder over.
    other = dict(stamp, data=dict(seed=1, layout='default'))
    check_run_stamp(str(train_dir), other)
    check_run_stamp(str(train_dir), stamp)
    (train_dir / 'last_checkpoint').write_text(str(train_dir / 'epoch_1.pth'))
    # The same run resumes (tuples read back as lists).
    assert check_run_stamp(str(train_dir), stamp) is True
    longer = dict(stamp, config=dict(train_cfg=dict(max_epochs=8), scale=(320, 320)))
    with pytest.raises(ValueError, match=r'differs in config\.train_cfg\.max_epochs\)'):
        check_run_stamp(str(train_dir), longer)
    with pytest.raises(ValueError, match=r'differs in data\.layout, data\.seed\)'):
        check_run_stamp(str(train_dir), dict(stamp, data=dict(seed=1, layout='close-up')))
    # A folder trained before stamps existed resumes and is stamped.
    (train_dir / RUN_STAMP_FILE).unlink()
    assert check_run_stamp(str(train_dir), longer) is True
    with pytest.raises(ValueError, match='max_epochs'):
        check_run_stamp(str(train_dir), stamp)
    (train_dir / RUN_STAMP_FILE).write_text('[1, 2]')
    with pytest.raises(ValueError, match=f'{RUN_STAMP_FILE}: not a run stamp'):
        check_run_stamp(str(train_dir), stamp)
