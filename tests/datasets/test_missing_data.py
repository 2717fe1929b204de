"""A missing annotation file says what writes it: the converter command with
the config's folders, the official release, and the synthetic config that needs
no download."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner
from mmpose.registry import DATASETS

from mmpose_mlehand.datasets import (MissingAnnotationFileError, missing_annotation_message,
                                     require_annotation_file)

SYNTHETIC_LINES = [
    'Without any download: render synthetic hands, convert them and train the synthetic '
    'config:',
    '  python tools/make_synthetic_hands.py --format freihand --num 2000 '
    '--out data/synthetic_freihand --workers 2',
    '  python tools/convert_freihand.py --root data/synthetic_freihand '
    '--out data/synthetic_freihand/annotations',
    '  mim train mmpose configs/mlehand_res50_synthetic-freihand.py',
    'or run `make quickstart` (all of it with a CPU-sized model).',
]


def test_message_of_the_paper_config_on_a_fresh_clone():
    """What `mim train mmpose configs/mlehand_res50_freihand.py` ends with when
    data/ is empty, line by line."""
    message = missing_annotation_message('data/freihand/annotations/freihand_train.json',
                                         'freihand', 'data/freihand/')
    assert message.splitlines() == [
        'annotation file data/freihand/annotations/freihand_train.json does not exist.',
        "FreiHAND's annotation files (freihand_{train,val,test}.json; freihand_eval.json "
        'from the evaluation set) are written by',
        '  python tools/convert_freihand.py --root data/freihand --out data/freihand/annotations',
        'from the official release unpacked so that data/freihand holds training/ and '
        'training_*.json: FreiHAND v2, FreiHAND_pub_v2.zip (FreiHAND_pub_v2_eval.zip for '
        'freihand_eval.json), https://lmb.informatik.uni-freiburg.de/projects/freihand/',
        '(or from synthetic hands in that layout: python tools/make_synthetic_hands.py '
        '--format freihand --out data/freihand).',
    ] + SYNTHETIC_LINES


def test_message_of_rhd_and_of_an_unknown_data_set():
    rhd = missing_annotation_message('data/rhd/annotations/rhd_test.json', 'rhd2d', 'data/rhd/')
    assert rhd.splitlines()[:3] == [
        'annotation file data/rhd/annotations/rhd_test.json does not exist.',
        "RHD's annotation files (rhd_{train,val,test}.json) are written by",
        '  python tools/convert_rhd.py --root data/rhd --out data/rhd/annotations '
        '--protocol paper',
    ]
    assert 'so that data/rhd holds training/ and evaluation/: RHD v1.1, RHD_v1-1.zip' in rhd
    assert rhd.splitlines()[-5:] == SYNTHETIC_LINES
    # No data_root: the raw folder is the one above the annotation folder;
    # paths with spaces are quoted so that the command can be pasted.
    rhd = missing_annotation_message('/x y/annotations/rhd_train.json', 'rhd2d')
    assert ("  python tools/convert_rhd.py --root '/x y' --out '/x y/annotations' "
            '--protocol paper') in rhd.splitlines()
    other = missing_annotation_message('hands.json', 'coco_wholebody_hand')
    assert other.splitlines() == ['annotation file hands.json does not exist.'
                                  ] + SYNTHETIC_LINES


def test_require_annotation_file(tmp_path):
    path = tmp_path / 'freihand_train.json'
    with pytest.raises(FileNotFoundError) as info:
        require_annotation_file(str(path), 'freihand', str(tmp_path))
    assert isinstance(info.value, MissingAnnotationFileError)
    assert info.value.filename == str(path)
    assert str(info.value) == missing_annotation_message(str(path), 'freihand', str(tmp_path))
    path.write_text('{}')
    require_annotation_file(str(path), 'freihand', str(tmp_path))  # present: no error


@pytest.mark.parametrize('config, dataset_type, converter, ann_file', [
    ('configs/mlehand_res50_freihand.py', 'CheckedCocoStyleDataset',
     'tools/convert_freihand.py', 'freihand_train.json'),
    ('configs/mlehand_res50_rhd.py', 'CheckedRhd2DDataset', 'tools/convert_rhd.py',
     'rhd_train.json'),
    ('configs/quickstart/mlehand_res18-half_synthetic-freihand-96x96.py',
     'CheckedFreiHandDataset', 'tools/convert_freihand.py', 'freihand_train.json'),
])
def test_config_dataloaders_name_what_to_run(repo_root, tmp_path, config, dataset_type,
                                             converter, ann_file):
    """The config's train dataloader, built as the runner builds it, on a
    data_root without annotations."""
    cfg = Config.fromfile(osp.join(repo_root, config))
    root = str(tmp_path / 'data')
    cfg.train_dataloader.dataset.data_root = root
    assert cfg.train_dataloader.dataset.type == dataset_type
    with pytest.raises(FileNotFoundError) as info:
        Runner.build_dataloader(cfg.train_dataloader)
    message = str(info.value)
    missing = osp.join(root, 'annotations', ann_file)
    assert info.value.filename == missing
    assert message.startswith(f'annotation file {missing} does not exist.\n')
    assert f'  python {converter} --root {root} --out {root}/annotations' in message
    assert '  mim train mmpose configs/mlehand_res50_synthetic-freihand.py' in message
    assert osp.isfile(osp.join(repo_root, 'configs/mlehand_res50_synthetic-freihand.py'))
    # The validation and test sets say the same about their files.
    for split in ('val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        dataset.data_root = root
        with pytest.raises(MissingAnnotationFileError, match=f'--root {root} --out'):
            DATASETS.build(dataset)
