"""Tests of the RHD converter, its safe pickle loader and its command line on
generated raw trees."""
import os
import pickle
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from mmpose_mlehand.converters import ConversionError, convert_rhd, load_rhd_pickle, write_outputs
from mmpose_mlehand.hand_format import HAND_SIDES, NUM_KEYPOINTS, RHD_IMAGE_SIZE

from .raw_fixtures import (MMPOSE_RHD_111_BBOX, REPO_ROOT, RHD_EVALUATION, RHD_TRAINING, RhdSpec,
                           json_files, load_tool, write_rhd)

SPLITS = ('rhd_train.json', 'rhd_val.json', 'rhd_test.json')


@pytest.fixture(scope='module')
def tree(tmp_path_factory):
    return write_rhd(tmp_path_factory.mktemp('rhd'))


@pytest.fixture(scope='module')
def paper(tree):
    return convert_rhd(str(tree.root), progress=False).files


@pytest.fixture(scope='module')
def mmpose(tree):
    return convert_rhd(str(tree.root), protocol='mmpose',
                       progress=False).files


@pytest.fixture
def root(tree, tmp_path):
    """A private copy of the tree that a test may corrupt."""
    return shutil.copytree(tree.root, tmp_path / 'rhd')


def instances(files, names=SPLITS):
    """{(image id, hand_type): annotation} over the given files."""
    return {(ann['image_id'], ann['hand_type']): ann
            for name in names for ann in files[name]['annotations']}


def split_of(name):
    return 'evaluation' if name == 'rhd_test.json' else 'training'


def test_paper_keeps_hands_with_min_visible(paper):
    for names, specs in ((SPLITS[:2], RHD_TRAINING),
                         (SPLITS[2:], RHD_EVALUATION)):
        expected = {(i, side)
                    for i, spec in specs.items()
                    for side, count in (('left', spec.left_visible),
                                        ('right', spec.right_visible))
                    if count >= 10}
        kept = instances(paper, names)
        assert set(kept) == expected
        for (image_id, side), ann in kept.items():
            assert ann['id'] == 2 * image_id + (side == 'right')
            assert ann['num_keypoints'] == sum(ann['keypoints'][2::3])
        images = {image['id'] for name in names
                  for image in paper[name]['images']}
        assert images == {i for i, _ in expected}
    assert paper['rhd_test.json']['info']['split'] == 'test'


def test_paper_min_visible_option(tree):
    files = convert_rhd(str(tree.root), min_visible=NUM_KEYPOINTS,
                        progress=False).files
    assert set(instances(files, SPLITS[:2])) == {(0, 'left'), (4, 'right'),
                                                 (6, 'right'), (111, 'left')}
    assert set(instances(files, SPLITS[2:])) == {(0, 'left')}


def dominant(spec: RhdSpec):
    """Side picked by the mmpose protocol, computed from the spec."""
    left = (spec.left_pixels, spec.left_visible, 1)
    right = (spec.right_pixels, spec.right_visible, 0)
    side, visible = (('left', spec.left_visible) if left > right else
                     ('right', spec.right_visible))
    return side if visible else None


def test_mmpose_picks_dominant_hand(mmpose):
    for names, specs in ((SPLITS[:2], RHD_TRAINING),
                         (SPLITS[2:], RHD_EVALUATION)):
        expected = {(i, dominant(spec))
                    for i, spec in specs.items() if dominant(spec)}
        kept = instances(mmpose, names)
        assert set(kept) == expected
        assert all(ann['id'] == ann['image_id'] for ann in kept.values())
    # spot checks of the rules: pixel majority, ties, dropped
    kept = instances(mmpose)
    assert (1, 'right') in kept and (2, 'left') in kept
    assert (3, 'left') in kept and (6, 'right') in kept
    assert not any(i in (4, 8) for i, _ in kept)


@pytest.mark.parametrize('protocol', ['paper', 'mmpose'])
def test_keypoints_joints_and_images(tree, paper, mmpose, protocol):
    files = paper if protocol == 'paper' else mmpose
    for name in SPLITS:
        split = split_of(name)
        images = {image['id']: image for image in files[name]['images']}
        for ann in files[name]['annotations']:
            anno = tree.annos[split][ann['image_id']]
            side = HAND_SIDES.index(ann['hand_type'])
            rows = slice(NUM_KEYPOINTS * side, NUM_KEYPOINTS * (side + 1))
            kpts = np.array(ann['keypoints']).reshape(NUM_KEYPOINTS, 3)
            np.testing.assert_array_equal(kpts[:, :2], anno['uv_vis'][rows, :2])
            np.testing.assert_array_equal(kpts[:, 2],
                                          anno['uv_vis'][rows, 2] == 1)
            np.testing.assert_allclose(ann['joint_cam'],
                                       anno['xyz'][rows] * 1000, rtol=1e-6)
            image = images[ann['image_id']]
            K = anno['K']
            assert image['cam_param'] == {'focal': [K[0, 0], K[1, 1]],
                                          'princpt': [K[0, 2], K[1, 2]]}
            assert image['file_name'] == (
                f'{split}/color/{ann["image_id"]:05d}.png')
            width, height = tree.specs[split][ann['image_id']].size
            assert (image['width'], image['height']) == (width, height)


def test_bbox_is_scaled_keypoint_extent(paper):
    for ann in instances(paper).values():
        uv = np.array(ann['keypoints']).reshape(NUM_KEYPOINTS, 3)[:, :2]
        (x0, y0), (x1, y1) = uv.min(0), uv.max(0)
        w, h = 1.2 * (x1 - x0), 1.2 * (y1 - y0)
        np.testing.assert_allclose(
            ann['bbox'], [(x0 + x1 - w) / 2, (y0 + y1 - h) / 2, w, h],
            atol=1e-9)
        assert ann['area'] == pytest.approx(w * h)


def test_bbox_reproduces_mmpose_sample_111(paper):
    bbox = instances(paper)[(111, 'left')]['bbox']
    # keypoint x from 170.4 to 248.7: w = 78.3 * 1.2, x = 209.55 - 46.98
    assert bbox[2] == pytest.approx(93.96, abs=1e-4)
    assert bbox[0] == pytest.approx(162.57, abs=1e-4)
    np.testing.assert_allclose(bbox, MMPOSE_RHD_111_BBOX, atol=1e-4)


def test_val_split_over_images(tree):
    ids = sorted(RHD_TRAINING)
    for seed, fraction in ((0, 0.1), (5, 0.3)):
        files = convert_rhd(str(tree.root), val_fraction=fraction, seed=seed,
                            progress=False).files
        perm = np.random.default_rng(seed).permutation(len(ids))
        n_val = int(round(len(ids) * fraction))
        val_ids = {ids[p] for p in perm[len(ids) - n_val:]}
        train = {ann['image_id'] for ann in files['rhd_train.json']
                 ['annotations']}
        val = {ann['image_id'] for ann in files['rhd_val.json']['annotations']}
        assert val <= val_ids and not train & val_ids
        kept = {i for i, _ in instances(files, SPLITS[:2])}
        assert val == val_ids & kept and train == kept - val_ids


@pytest.mark.parametrize('protocol', range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_loader_reads_numpy_pickles(tree, tmp_path, protocol):
    annos = tree.annos['evaluation']
    path = tmp_path / 'anno.pickle'
    path.write_bytes(pickle.dumps(annos, protocol=protocol))
    loaded = load_rhd_pickle(str(path))
    assert sorted(loaded) == sorted(annos)
    for key in ('uv_vis', 'xyz', 'K'):
        np.testing.assert_array_equal(loaded[1][key], annos[1][key])


def test_pickle_loader_reads_numpy1_module_names(tree, tmp_path):
    # Python 2 / numpy 1.x pickles (the RHD release) name numpy.core.*
    data = pickle.dumps(tree.annos['evaluation'], protocol=2)
    assert b'numpy._core' in data
    path = tmp_path / 'anno.pickle'
    path.write_bytes(data.replace(b'numpy._core', b'numpy.core'))
    np.testing.assert_array_equal(
        load_rhd_pickle(str(path))[0]['K'], tree.annos['evaluation'][0]['K'])


class _Reduce:
    """Unpickles as ``func(*args)``."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


@pytest.mark.parametrize('payload', ['system', 'open', 'eval'])
def test_pickle_loader_refuses_code(tree, tmp_path, payload):
    marker = tmp_path / 'pwned'
    evil = {
        'system': _Reduce(os.system, f'touch {marker}'),
        'open': _Reduce(open, str(marker), 'w'),
        'eval': _Reduce(eval, f'open({str(marker)!r}, "w")'),
    }[payload]
    annos = dict(tree.annos['evaluation'])
    annos[1] = dict(annos[1], K=evil)
    path = tmp_path / 'anno.pickle'
    path.write_bytes(pickle.dumps(annos, protocol=2))
    with pytest.raises(ConversionError,
                       match=re.escape(f'{path}: refused to unpickle')):
        load_rhd_pickle(str(path))
    assert not marker.exists()


def test_malicious_pickle_in_tree_writes_nothing(root, tmp_path):
    marker = tmp_path / 'pwned'
    (root / 'training' / 'anno_training.pickle').write_bytes(
        pickle.dumps({0: _Reduce(os.system, f'touch {marker}')}))
    out = tmp_path / 'out'
    assert load_tool('convert_rhd').main(
        ['--root', str(root), '--out', str(out), '--quiet']) == 2
    assert not marker.exists() and json_files(out) == []


def _edit_pickle(split, edit):
    def corrupt(root):
        path = root / split / f'anno_{split}.pickle'
        annos = pickle.loads(path.read_bytes())
        edit(annos)
        path.write_bytes(pickle.dumps(annos, protocol=2))
    return corrupt


def _set(sample, key, value):
    return lambda annos: annos[sample].__setitem__(key, value)


def _remove(path):
    def corrupt(root):
        target = root / path
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    return corrupt


def _truncate(path):
    return lambda root: (root / path).write_bytes(
        (root / path).read_bytes()[:len((root / path).read_bytes()) // 2])


def _write(path, data=b'\x89PNG garbage'):
    return lambda root: (root / path).write_bytes(data)


def _z_behind(annos):
    annos[7]['xyz'][30, 2] = 0.0


def _nan_uv(annos):
    annos[1]['uv_vis'][3, 0] = np.nan


def _small_mask(root):
    Image.new('L', (100, 100)).save(root / 'training/mask/00003.png')


BAD_INPUTS = {
    'missing evaluation folder': (_remove('evaluation'),
                                  ['evaluation', 'missing folder']),
    'missing color folder': (_remove('training/color'),
                             ['training/color', 'missing folder']),
    'missing pickle': (_remove('training/anno_training.pickle'),
                       ['anno_training.pickle', 'missing file']),
    'truncated pickle': (_truncate('training/anno_training.pickle'),
                         ['anno_training.pickle', 'truncated or malformed']),
    'garbage pickle': (_write('evaluation/anno_evaluation.pickle', b'\x80\x02'
                              b'garbage'),
                       ['anno_evaluation.pickle', 'truncated or malformed']),
    'pickle holds a list': (_write('training/anno_training.pickle',
                                   pickle.dumps([1, 2])),
                            ['anno_training.pickle', 'expected a dict']),
    'missing K': (_edit_pickle('training', lambda a: a[3].pop('K')),
                  ['anno_training.pickle', 'sample 3', "missing 'K'"]),
    'uv_vis wrong shape': (_edit_pickle(
        'training', _set(5, 'uv_vis', np.zeros((NUM_KEYPOINTS, 3)))),
                           ['anno_training.pickle', 'sample 5', "'uv_vis'",
                            f'expected shape {len(HAND_SIDES) * NUM_KEYPOINTS}x3']),
    'K wrong shape': (_edit_pickle('evaluation', _set(2, 'K', np.eye(4))),
                      ['anno_evaluation.pickle', 'sample 2',
                       'expected shape 3x3']),
    'NaN in uv_vis': (_edit_pickle('training', _nan_uv),
                      ['anno_training.pickle', 'sample 1', 'non-finite']),
    'point behind camera': (_edit_pickle('training', _z_behind),
                            ['anno_training.pickle', 'sample 7',
                             'keypoint 30', 'behind the camera']),
    'missing color image': (_remove('training/color/00003.png'),
                            ['training/color/00003.png', 'missing image',
                             'sample 3']),
    'unreadable color image': (_write('evaluation/color/00001.png'),
                               ['evaluation/color/00001.png', 'unreadable',
                                'sample 1']),
    'truncated color image': (_truncate('training/color/00111.png'),
                              ['training/color/00111.png', 'unreadable',
                               'sample 111']),
    'extra color image': (lambda root: shutil.copy(
        root / 'training/color/00000.png', root / 'training/color/00009.png'),
                          ['training/color', 'holds 11 images',
                           'has 10 samples']),
}

MMPOSE_BAD_INPUTS = {
    'missing mask folder': (_remove('evaluation/mask'),
                            ['evaluation/mask', 'missing folder']),
    'missing mask': (_remove('training/mask/00002.png'),
                     ['training/mask/00002.png', 'sample 2']),
    'unreadable mask': (_truncate('training/mask/00005.png'),
                        ['training/mask/00005.png', 'unreadable',
                         'sample 5']),
    'mask of wrong size': (_small_mask, ['training/mask/00003.png',
                                         'sample 3', f'{RHD_IMAGE_SIZE}x{RHD_IMAGE_SIZE}']),
}


@pytest.mark.parametrize(
    'case, protocol',
    [(case, 'paper') for case in BAD_INPUTS] +
    [(case, 'mmpose') for case in MMPOSE_BAD_INPUTS])
def test_bad_input_names_file_and_writes_nothing(case, protocol, root,
                                                 tmp_path, capsys):
    corrupt, expected = {**BAD_INPUTS, **MMPOSE_BAD_INPUTS}[case]
    corrupt(root)
    with pytest.raises(ConversionError) as error:
        convert_rhd(str(root), protocol=protocol, progress=False)
    for text in expected:
        assert text in str(error.value)
    out = tmp_path / 'out'
    tool = load_tool('convert_rhd')
    assert tool.main(['--root', str(root), '--out', str(out), '--protocol',
                      protocol, '--quiet']) == 2
    assert capsys.readouterr().err.startswith('error: ')
    assert json_files(out) == []


def test_paper_protocol_needs_no_masks(root):
    shutil.rmtree(root / 'training' / 'mask')
    shutil.rmtree(root / 'evaluation' / 'mask')
    assert convert_rhd(str(root), progress=False).files['rhd_test.json'][
        'annotations']


@pytest.mark.parametrize('kwargs, message', [
    (dict(protocol='both'), 'protocol'),
    (dict(min_visible=0), 'min_visible'),
    (dict(val_fraction=1.0), 'val_fraction'),
])
def test_bad_options(tree, kwargs, message):
    with pytest.raises(ConversionError, match=message):
        convert_rhd(str(tree.root), progress=False, **kwargs)


def test_tool_writes_files_and_counts(tree, tmp_path, capsys):
    out = tmp_path / 'out'
    assert load_tool('convert_rhd').main(
        ['--root', str(tree.root), '--out', str(out)]) == 0
    captured = capsys.readouterr()
    assert ('rhd_train.json: 7 images, 12 instances (left 5, right 7); '
            'dropped: 6 hands with < 10 visible keypoints, 2 images with no '
            'hand kept') in captured.out
    assert 'rhd training' in captured.err and '10/10 samples' in captured.err
    assert json_files(out) == sorted(SPLITS)


def test_tool_subprocess_exit_code(root, tmp_path):
    (root / 'evaluation' / 'color' / '00002.png').unlink()
    out = tmp_path / 'out'
    proc = subprocess.run([
        sys.executable,
        str(REPO_ROOT / 'tools' / 'convert_rhd.py'), '--root',
        str(root), '--out', str(out), '--protocol', 'mmpose'
    ], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith('error: ')
    assert 'evaluation/color/00002.png' in proc.stderr
    assert json_files(out) == []


@pytest.mark.parametrize('protocol', ['paper', 'mmpose'])
def test_loads_in_mmpose(tree, paper, mmpose, tmp_path, protocol):
    datasets = pytest.importorskip('mmpose.datasets')
    files = paper if protocol == 'paper' else mmpose
    write_outputs(files, str(tmp_path))
    for name, data in files.items():
        dataset = datasets.Rhd2DDataset(
            ann_file=str(tmp_path / name), data_root=str(tree.root),
            data_prefix=dict(img=''), test_mode=True)
        assert len(dataset) == len(data['annotations'])
        info = dataset.get_data_info(0)
        assert os.path.isfile(info['img_path'])
        np.testing.assert_allclose(info['bbox'][0, 2:] - info['bbox'][0, :2],
                                   data['annotations'][0]['bbox'][2:],
                                   atol=1e-3)
