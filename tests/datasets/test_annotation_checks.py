"""Annotation files with bad labels are refused before training.

The files are written here by hand (JSON text, including the ``NaN`` and
``Infinity`` literals that Python's and MMPose's JSON readers accept); the
checked datasets must refuse each kind of bad label with the file, the
annotation id and the problem in the message, and the runner must not train.
"""
import json
import os
import os.path as osp
import shutil
from typing import List, Optional

import pytest
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpose.registry import DATASETS

from mmpose_mlehand.datasets import (CheckedCocoStyleDataset, CheckedFreiHandDataset,
                                     CheckedRhd2DDataset, InvalidAnnotationError,
                                     annotation_problem, check_annotation_file)
from tests.helpers import tiny_cfg

GOOD_BOX = '[10, 20, 150, 160]'


def keypoints_text(num: int = 21, override: Optional[dict] = None) -> str:
    """'[x, y, v, ...]' as JSON text; ``override`` maps a value index to its text."""
    values = []
    for k in range(num):
        values += [f'{30 + 5 * k}', f'{40 + 4 * k}', '2' if k % 2 else '1']
    for index, text in (override or {}).items():
        values[index] = text
    return '[' + ', '.join(values) + ']'


def annotation_text(ann_id: int, image_id: int, keypoints: str, bbox: str = GOOD_BOX) -> str:
    return (f'{{"id": {ann_id}, "image_id": {image_id}, "category_id": 1, "iscrowd": 0, '
            f'"segmentation": [], "area": 1000, "num_keypoints": 21, '
            f'"bbox": {bbox}, "keypoints": {keypoints}}}')


def file_text(annotations: List[str], num_images: int = 4) -> str:
    images = ', '.join(f'{{"id": {i}, "file_name": "images/{i:05d}.png", "width": 224, '
                       f'"height": 224}}' for i in range(num_images))
    return (f'{{"images": [{images}], "annotations": [{", ".join(annotations)}], '
            '"categories": [{"id": 1, "name": "hand"}]}')


# kind -> (annotation text of annotation id 7 on image 2, words the message must hold)
BAD_LABELS = {
    'nan keypoint': (annotation_text(7, 2, keypoints_text(override={10: 'NaN'})),
                     ['keypoint 3 (', 'non-finite y', 'nan']),
    'infinite keypoint': (annotation_text(7, 2, keypoints_text(override={0: 'Infinity'})),
                          ['keypoint 0 (', 'non-finite x', 'inf']),
    'negative infinite keypoint': (
        annotation_text(7, 2, keypoints_text(override={63 - 3: '-Infinity'})),
        ['keypoint 20 (', 'non-finite x', '-inf']),
    'zero-size box': (annotation_text(7, 2, keypoints_text(), bbox='[10, 20, 0, 160]'),
                      ['box of zero or negative size', 'w=0', 'h=160']),
    'negative box': (annotation_text(7, 2, keypoints_text(), bbox='[10, 20, 150, -5]'),
                     ['box of zero or negative size', 'w=150', 'h=-5']),
    'non-finite box': (annotation_text(7, 2, keypoints_text(), bbox='[NaN, 20, 150, 160]'),
                       ['box with a non-finite x']),
    'box of three numbers': (annotation_text(7, 2, keypoints_text(), bbox='[10, 20, 150]'),
                             ["'bbox' [10, 20, 150]", 'four numbers']),
    'missing box': (annotation_text(7, 2, keypoints_text()).replace(f'"bbox": {GOOD_BOX}, ', ''),
                    ["has no 'bbox'"]),
    '20 keypoints': (annotation_text(7, 2, keypoints_text(num=20)),
                     ['has 60 keypoint values, expected 63']),
    '22 keypoints': (annotation_text(7, 2, keypoints_text(num=22)),
                     ['has 66 keypoint values, expected 63']),
    'visibility 3': (annotation_text(7, 2, keypoints_text(override={5: '3'})),
                     ['keypoint 1 (', 'visibility 3', 'expected 0, 1 or 2']),
    'visibility -1': (annotation_text(7, 2, keypoints_text(override={8: '-1'})),
                      ['keypoint 2 (', 'visibility -1']),
    'visibility 0.5': (annotation_text(7, 2, keypoints_text(override={8: '0.5'})),
                       ['keypoint 2 (', 'visibility 0.5']),
    'string coordinate': (annotation_text(7, 2, keypoints_text(override={3: '"12"'})),
                          ['keypoint 1 (', "non-numeric x ('12')"]),
}


def write_file(path: str, bad: Optional[str] = None) -> str:
    """Three good annotations (ids 4, 5, 6) and, if given, the bad one (id 7)."""
    annotations = [annotation_text(4 + i, i, keypoints_text()) for i in range(3)]
    if bad is not None:
        annotations.append(bad)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(file_text(annotations))
    return path


def dataset_cfg(dataset_type: str, ann_file: str) -> dict:
    return dict(type=dataset_type, ann_file=ann_file, data_root='', data_mode='topdown',
                data_prefix=dict(img=''), pipeline=[])


@pytest.mark.parametrize('kind', sorted(BAD_LABELS))
@pytest.mark.parametrize('dataset_type', ['CheckedFreiHandDataset', 'CheckedRhd2DDataset',
                                          'CheckedCocoStyleDataset'])
def test_dataset_refuses_each_kind_of_bad_label(kind, dataset_type, tmp_path):
    bad, words = BAD_LABELS[kind]
    path = write_file(str(tmp_path / 'hands.json'), bad)
    cfg = dataset_cfg(dataset_type, path)
    if dataset_type == 'CheckedCocoStyleDataset':  # keypoints from the metainfo
        cfg['metainfo'] = dict(from_file='configs/_base_/datasets/freihand2d.py')
    with pytest.raises(ValueError) as info:
        DATASETS.build(cfg)
    message = str(info.value)
    assert isinstance(info.value, InvalidAnnotationError)
    assert path in message and '1 invalid annotation' in message
    assert 'annotation id 7 (image_id 2)' in message
    for word in words:
        assert word in message, (word, message)
    # Only the bad annotation is named.
    assert 'annotation id 4 ' not in message and 'annotation id 6 ' not in message
    if kind == 'nan keypoint':  # named as the data set names it (RHD's order differs)
        name = 'thumb2' if dataset_type == 'CheckedRhd2DDataset' else 'thumb3'
        assert f'keypoint 3 ({name}) has a non-finite y (nan)' in message


def test_good_file_loads_as_mmpose_loads_it(tmp_path):
    path = write_file(str(tmp_path / 'hands.json'))
    freihand = dict(from_file='configs/_base_/datasets/freihand2d.py')
    for checked, stock in ((CheckedFreiHandDataset, 'FreiHandDataset'),
                           (CheckedRhd2DDataset, 'Rhd2DDataset'),
                           (CheckedCocoStyleDataset, 'BaseCocoStyleDataset')):
        ours, theirs = dataset_cfg(checked.__name__, path), dataset_cfg(stock, path)
        if stock == 'BaseCocoStyleDataset':
            ours['metainfo'] = theirs['metainfo'] = freihand
        ours, theirs = DATASETS.build(ours), DATASETS.build(theirs)
        assert isinstance(ours, checked) and len(ours) == len(theirs) == 3
        assert ours.metainfo['num_keypoints'] == 21
        for i in range(3):
            a, b = ours.get_data_info(i), theirs.get_data_info(i)
            assert a['id'] == b['id'] == 4 + i
            assert (a['keypoints'] == b['keypoints']).all()
            assert (a['keypoints_visible'] == b['keypoints_visible']).all()
            assert (a['bbox'] == b['bbox']).all()


def test_stock_mmpose_dataset_takes_a_nan_keypoint(tmp_path):
    """Why the check exists: MMPose's FreiHandDataset yields the NaN label."""
    path = write_file(str(tmp_path / 'hands.json'), BAD_LABELS['nan keypoint'][0])
    dataset = DATASETS.build(dataset_cfg('FreiHandDataset', path))
    assert len(dataset) == 4
    assert str(dataset.get_data_info(3)['keypoints'][0, 3, 1]) == 'nan'


def test_message_lists_five_and_counts_the_rest(tmp_path):
    annotations = [annotation_text(100 + i, 0, keypoints_text(override={1: 'NaN'}))
                   for i in range(8)]
    path = str(tmp_path / 'many.json')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(file_text(annotations))
    with pytest.raises(InvalidAnnotationError) as info:
        check_annotation_file(path, 21)
    lines = str(info.value).splitlines()
    assert lines[0] == (f'{path}: 8 invalid annotation(s); the file is refused before '
                        'training (fix or remove them):')
    assert [line.split(' (image_id')[0].strip() for line in lines[1:6]] == [
        f'annotation id {100 + i}' for i in range(5)]
    assert lines[6] == '  ... and 3 more (ids 105, 106, 107)'


def test_annotation_problem_is_a_plain_function():
    good = json.loads(annotation_text(1, 1, keypoints_text()))
    assert annotation_problem(good, 21) is None
    assert annotation_problem(good, 20) == (
        'has 63 keypoint values, expected 60 (20 keypoints x (x, y, visibility))')
    # Without names the keypoint is named by its index.
    bad = dict(good, keypoints=[float('nan')] + good['keypoints'][1:])
    assert annotation_problem(bad, 21) == 'keypoint 0 has a non-finite x (nan)'
    assert annotation_problem(dict(good, keypoints=None), 21) == "has no 'keypoints'"
    assert annotation_problem([1, 2], 21) == 'is a list, not an object'
    # JSON true is not a visibility.
    bad = dict(good, keypoints=good['keypoints'][:2] + [True] + good['keypoints'][3:])
    assert annotation_problem(bad, 21) == 'keypoint 0 has a non-numeric visibility (True)'


def test_file_that_is_not_coco_is_refused(tmp_path):
    path = str(tmp_path / 'list.json')
    with open(path, 'w') as f:
        f.write('[1, 2, 3]')
    with pytest.raises(InvalidAnnotationError, match="'annotations' list"):
        check_annotation_file(path, 21)
    with open(path, 'w') as f:
        f.write('{"annotations": [')
    with pytest.raises(InvalidAnnotationError, match='not a JSON file'):
        check_annotation_file(path, 21)


# --- nothing is trained --------------------------------------------------------


class CountIterations(Hook):

    def __init__(self):
        self.iterations = 0

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.iterations += 1


@pytest.fixture
def bad_label_root(dot_freihand_root, tmp_path) -> str:
    """The dot hands' images with hand-written annotation files (good ones first)."""
    root = str(tmp_path / 'data')
    os.makedirs(osp.join(root, 'annotations'))
    os.symlink(osp.join(dot_freihand_root, 'images'), osp.join(root, 'images'))
    for split in ('train', 'val', 'test'):
        shutil.copy(osp.join(dot_freihand_root, 'annotations', f'freihand_{split}.json'),
                    osp.join(root, 'annotations', f'freihand_{split}.json'))
    return root


def replace_annotation(path: str, bad: str) -> None:
    """Put the bad annotation (id 7, image 2) in place of the file's third one."""
    with open(path, encoding='utf-8') as f:
        content = json.load(f)
    texts = [json.dumps(a) for a in content['annotations']]
    texts[2] = bad
    images = json.dumps(content['images'])
    with open(path, 'w', encoding='utf-8') as f:
        f.write(f'{{"images": {images}, "annotations": [{", ".join(texts)}], '
                '"categories": [{"id": 1, "name": "hand"}]}')


@pytest.mark.parametrize('kind', ['nan keypoint', 'infinite keypoint', 'zero-size box',
                                  'negative box', '20 keypoints', 'visibility 3'])
def test_runner_refuses_before_the_first_iteration(kind, bad_label_root, tmp_path):
    """The quick-start config (CheckedFreiHandDataset) trains nothing on a bad file."""
    bad, words = BAD_LABELS[kind]
    ann_file = osp.join(bad_label_root, 'annotations', 'freihand_train.json')
    replace_annotation(ann_file, bad)
    work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(tiny_cfg(bad_label_root, work_dir, max_epochs=1))
    assert runner.cfg.train_dataloader.dataset.type == 'CheckedFreiHandDataset'
    counter = CountIterations()
    runner.register_hook(counter)
    with pytest.raises(ValueError) as info:
        runner.train()
    message = str(info.value)
    assert ann_file in message and 'annotation id 7 (image_id 2)' in message
    assert all(word in message for word in words), message
    assert counter.iterations == 0
    assert not [f for f in os.listdir(work_dir) if f.endswith('.pth')]


def test_bad_validation_file_is_refused_before_training(bad_label_root, tmp_path):
    ann_file = osp.join(bad_label_root, 'annotations', 'freihand_val.json')
    replace_annotation(ann_file, BAD_LABELS['visibility 3'][0])
    runner = Runner.from_cfg(tiny_cfg(bad_label_root, str(tmp_path / 'work'), max_epochs=1))
    counter = CountIterations()
    runner.register_hook(counter)
    with pytest.raises(ValueError, match='visibility 3') as info:
        runner.train()
    assert ann_file in str(info.value) and counter.iterations == 0
