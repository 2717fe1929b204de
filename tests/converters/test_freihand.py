"""Tests of the FreiHAND converter and its command line on generated raw
trees."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from mmpose_mlehand.converters import ConversionError, convert_freihand, write_outputs
from mmpose_mlehand.hand_format import FREIHAND_IMAGE_SIZE, NUM_KEYPOINTS, rectangle_segmentation

from .raw_fixtures import REPO_ROOT, json_files, load_tool, project, write_freihand

SPLITS = ('freihand_train.json', 'freihand_val.json', 'freihand_test.json')


@pytest.fixture(scope='module')
def tree(tmp_path_factory):
    return write_freihand(tmp_path_factory.mktemp('freihand'))


@pytest.fixture(scope='module')
def files(tree):
    return convert_freihand(str(tree.root), progress=False).files


@pytest.fixture
def root(tree, tmp_path):
    """A private copy of the tree that a test may corrupt."""
    return shutil.copytree(tree.root, tmp_path / 'freihand')


def scaled_extent(uv):
    """1.2x keypoint extent about its centre, computed independently."""
    (x0, y0), (x1, y1) = uv.min(0), uv.max(0)
    w, h = 1.2 * (x1 - x0), 1.2 * (y1 - y0)
    return [(x0 + x1) / 2 - w / 2, (y0 + y1) / 2 - h / 2, w, h]


def keypoints(ann):
    return np.array(ann['keypoints'], dtype=np.float64).reshape(NUM_KEYPOINTS, 3)


def test_keypoints_are_projections(tree, files):
    for name in SPLITS:
        for ann in files[name]['annotations']:
            s = ann['id'] % tree.n
            kpts = keypoints(ann)
            np.testing.assert_allclose(kpts[:, :2],
                                       project(tree.K[s], tree.xyz[s]),
                                       rtol=0, atol=1e-9)
            assert ann['keypoints'][2::3] == [1] * NUM_KEYPOINTS


def test_mask_bbox_is_drawn_extent(tree, files):
    for name in SPLITS:
        for ann in files[name]['annotations']:
            x0, y0, x1, y1 = tree.mask_boxes[ann['id'] % tree.n].tolist()
            assert ann['bbox'] == [x0, y0, x1 - x0 + 1, y1 - y0 + 1]
            assert all(type(v) is int for v in ann['bbox'])
            assert ann['area'] == (x1 - x0 + 1) * (y1 - y0 + 1)
            assert ann['segmentation'] == rectangle_segmentation(ann['bbox'])


def test_split_is_8_1_1_over_samples(tree, files):
    samples = {}
    for name in SPLITS:
        ids = [image['id'] for image in files[name]['images']]
        assert ids == sorted(ids)
        samples[name] = {i % tree.n for i in ids}
        # all four versions of each sample are in this split
        assert sorted(ids) == sorted(s + v * tree.n for s in samples[name]
                                     for v in range(4))
    perm = np.random.default_rng(0).permutation(tree.n).tolist()
    assert samples['freihand_train.json'] == set(perm[:8])
    assert samples['freihand_val.json'] == {perm[8]}
    assert samples['freihand_test.json'] == {perm[9]}
    other = convert_freihand(str(tree.root), seed=3, progress=False).files
    perm = np.random.default_rng(3).permutation(tree.n).tolist()
    assert {a['id'] % tree.n for a in other['freihand_test.json']
            ['annotations']} == {perm[9]}


def test_ids_file_names_and_keys(files):
    data = files['freihand_train.json']
    assert set(data) == {'info', 'licenses', 'images', 'annotations',
                         'categories'}
    assert data['categories'][0]['id'] == 1
    assert data['categories'][0]['name'] == 'hand'
    assert len(data['categories'][0]['keypoints']) == NUM_KEYPOINTS
    for image, ann in zip(data['images'], data['annotations']):
        assert image == {'id': image['id'], 'width': FREIHAND_IMAGE_SIZE,
                         'height': FREIHAND_IMAGE_SIZE,
                         'file_name': f'training/rgb/{image["id"]:08d}.jpg'}
        assert ann['id'] == ann['image_id'] == image['id']
        assert ann['iscrowd'] == 0 and ann['category_id'] == 1


def test_evaluation_file(tree, files):
    data = files['freihand_eval.json']
    assert [image['file_name'] for image in data['images']] == [
        f'evaluation/rgb/{i:08d}.jpg' for i in range(3)]
    for i, ann in enumerate(data['annotations']):
        uv = project(tree.eval_K[i], tree.eval_xyz[i])
        assert ann['id'] == ann['image_id'] == i
        np.testing.assert_allclose(keypoints(ann)[:, :2], uv, atol=1e-9)
        np.testing.assert_allclose(ann['bbox'], scaled_extent(uv), atol=1e-9)


def test_keypoint_boxes_need_no_masks(tree, root):
    shutil.rmtree(root / 'training' / 'mask')
    files = convert_freihand(str(root), bbox='keypoints', progress=False).files
    for ann in files['freihand_val.json']['annotations']:
        s = ann['id'] % tree.n
        np.testing.assert_allclose(ann['bbox'],
                                   scaled_extent(
                                       project(tree.K[s], tree.xyz[s])),
                                   atol=1e-9)
        assert ann['area'] == pytest.approx(ann['bbox'][2] * ann['bbox'][3])


def test_fewer_versions_and_no_evaluation(tmp_path):
    tree = write_freihand(tmp_path, n=20, num_versions=2, num_eval=0, seed=1)
    result = convert_freihand(str(tree.root), progress=False)
    assert list(result.files) == list(SPLITS)
    assert [len(result.files[name]['images']) for name in SPLITS] == [32, 4, 4]
    assert 'freihand_eval.json not written' in result.summary()


def _set_json(name, edit):
    def corrupt(root):
        data = json.loads((root / name).read_text())
        edit(data)
        (root / name).write_text(json.dumps(data))
    return corrupt


def _write(path, data=b'not an image'):
    return lambda root: (root / path).write_bytes(data)


def _remove(path):
    def corrupt(root):
        target = root / path
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    return corrupt


def _truncate(path):
    return lambda root: (root / path).write_bytes(
        (root / path).read_bytes()[:len((root / path).read_bytes()) // 2])


def _extra_images(first, count):
    def corrupt(root):
        for i in range(first, first + count):
            shutil.copy(root / 'training/rgb/00000000.jpg',
                        root / f'training/rgb/{i:08d}.jpg')
    return corrupt


def _blank_mask(root):
    from PIL import Image
    Image.new('L', (FREIHAND_IMAGE_SIZE, FREIHAND_IMAGE_SIZE)).save(
        root / 'training/mask/00000004.jpg')


def _z_behind(data):
    data[6][7][2] = -0.1


BAD_INPUTS = {
    'missing root folder': (_remove('.'), ['freihand', 'missing folder']),
    'missing training folder': (_remove('training'),
                                ['training/rgb', 'missing folder']),
    'missing K': (_remove('training_K.json'),
                  ['training_K.json', 'missing file']),
    'truncated xyz': (_truncate('training_xyz.json'),
                      ['training_xyz.json', 'malformed or truncated']),
    'xyz not a list': (_write('training_xyz.json', b'{"a": 1}'),
                       ['training_xyz.json', 'expected a JSON list']),
    'K wrong shape': (_set_json('training_K.json',
                                lambda d: d.__setitem__(3, d[3][:2])),
                      ['training_K.json', 'sample 3', 'expected shape 3x3']),
    'xyz wrong shape': (_set_json('training_xyz.json',
                                  lambda d: d.__setitem__(4, d[4][:20])),
                        ['training_xyz.json', 'sample 4', f'shape {NUM_KEYPOINTS}x3']),
    'non-numeric K': (_set_json('training_K.json',
                                lambda d: d[1][0].__setitem__(0, 'f')),
                      ['training_K.json', 'sample 1', 'non-numeric']),
    'NaN in xyz': (_write('training_xyz.json',
                          b'[[[NaN, 0, 1]' + b', [0, 0, 1]' * 20 + b']]'),
                   ['training_xyz.json', 'sample 0', 'non-finite']),
    'point behind camera': (_set_json('training_xyz.json', _z_behind),
                            ['training_xyz.json', 'sample 6', 'keypoint 7',
                             'behind the camera']),
    'K and xyz counts differ': (_set_json('training_K.json',
                                          lambda d: d.pop()),
                                ['training_K.json', '9 samples', 'has 10']),
    'missing rgb image': (_remove('training/rgb/00000017.jpg'),
                          ['training/rgb/00000017.jpg', 'missing image',
                           'sample 7']),
    'unreadable rgb image': (_write('training/rgb/00000013.jpg'),
                             ['training/rgb/00000013.jpg', 'unreadable',
                              'sample 3']),
    'image count not a multiple of n': (_remove('training/rgb/00000039.jpg'),
                                        ['training/rgb', 'holds 39 images',
                                         'n = 10']),
    'five versions': (_extra_images(40, 10), ['holds 50 images']),
    'missing mask': (_remove('training/mask/00000005.jpg'),
                     ['training/mask/00000005.jpg', 'sample 5']),
    'truncated mask': (_truncate('training/mask/00000002.jpg'),
                       ['training/mask/00000002.jpg', 'unreadable',
                        'sample 2']),
    'blank mask': (_blank_mask, ['training/mask/00000004.jpg', 'sample 4',
                                 'no pixel > 127']),
    'evaluation K missing': (_remove('evaluation_K.json'),
                             ['evaluation_K.json', 'missing file']),
    'evaluation image missing': (_remove('evaluation/rgb/00000001.jpg'),
                                 ['evaluation/rgb/00000001.jpg',
                                  'evaluation sample 1']),
    'extra evaluation image': (
        lambda root: shutil.copy(root / 'evaluation/rgb/00000000.jpg',
                                 root / 'evaluation/rgb/00000003.jpg'),
        ['evaluation/rgb', 'holds 4 images', 'has 3 samples']),
}


@pytest.mark.parametrize('case', list(BAD_INPUTS))
def test_bad_input_names_file_and_writes_nothing(case, root, tmp_path,
                                                 capsys):
    corrupt, expected = BAD_INPUTS[case]
    corrupt(root)
    with pytest.raises(ConversionError) as error:
        convert_freihand(str(root), progress=False)
    for text in expected:
        assert text in str(error.value)
    out = tmp_path / 'out'
    tool = load_tool('convert_freihand')
    assert tool.main(['--root', str(root), '--out', str(out), '--quiet']) == 2
    assert capsys.readouterr().err.startswith('error: ')
    assert json_files(out) == []


def test_tool_writes_files_and_counts(tree, tmp_path, capsys):
    tool = load_tool('convert_freihand')
    out = tmp_path / 'out'
    assert tool.main(['--root', str(tree.root), '--out', str(out)]) == 0
    captured = capsys.readouterr()
    assert 'freihand_train.json: 32 images, 32 instances' in captured.out
    assert 'freihand training' in captured.err and '40/40 images' in captured.err
    assert json_files(out) == sorted(SPLITS + ('freihand_eval.json', ))
    with pytest.raises(SystemExit) as exit_info:
        tool.parse_args(['--help'])
    assert exit_info.value.code == 0
    help_text = ' '.join(capsys.readouterr().out.split())  # unwrap lines
    assert 'n_val = n_test = int(round(0.1 * n))' in help_text


def test_tool_subprocess_exit_code(root, tmp_path):
    (root / 'training_K.json').write_text('[[1, 2')
    out = tmp_path / 'out'
    proc = subprocess.run([
        sys.executable,
        str(REPO_ROOT / 'tools' / 'convert_freihand.py'), '--root',
        str(root), '--out', str(out)
    ], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith('error: ')
    assert 'training_K.json' in proc.stderr
    assert json_files(out) == []


def test_loads_in_mmpose(tree, files, tmp_path):
    datasets = pytest.importorskip('mmpose.datasets')
    write_outputs(files, str(tmp_path))
    for name, data in files.items():
        dataset = datasets.FreiHandDataset(
            ann_file=str(tmp_path / name), data_root=str(tree.root),
            data_prefix=dict(img=''), test_mode=True)
        assert len(dataset) == len(data['annotations'])
        info = dataset.get_data_info(0)
        assert os.path.isfile(info['img_path'])
        np.testing.assert_allclose(
            info['keypoints'][0],
            keypoints(data['annotations'][0])[:, :2], atol=1e-4)
