"""Whole scenes for hand detection and their COCO files."""
import filecmp
import json
import os

import cv2
import numpy as np
import pytest

from mmpose_mlehand.hand_format import KEYPOINT_BBOX_SCALE, NUM_KEYPOINTS
from mmpose_mlehand.synthetic.appearance import (JPEG_QUALITY_BANDS, LIGHT_KELVIN_BANDS,
                                                 PROCEDURAL_BACKGROUNDS, SKIN_BLEND_BANDS,
                                                 WHITE_BALANCE_MIRED_BANDS)
from mmpose_mlehand.synthetic.hand_scenes import (SCENE_FRAMES, SCENE_LAYOUTS, _hand_size,
                                                  clipped_box, render_hand_scene)
from mmpose_mlehand.synthetic.photos import PHOTO_FAMILIES
from mmpose_mlehand.synthetic.scene import part_label
from mmpose_mlehand.synthetic.scene_dataset import (SPLIT_FAMILIES, annotation_file,
                                                    generate_scene_dataset, holds_scenes)

SEED = 3
NUM_SCENES = 24


@pytest.fixture(scope='module')
def scenes():
    return [render_hand_scene(SEED, 'train', i, keep_label=True) for i in range(NUM_SCENES)]


def _hand_labels(side):
    return [part_label(side, None)] + [part_label(side, f, s) for f in range(5)
                                       for s in range(3)]


def test_frames_sizes_and_hand_counts_vary(scenes):
    assert {s.image.shape[1::-1] for s in scenes} <= set(SCENE_FRAMES)
    assert len({s.image.shape for s in scenes}) >= 3
    counts = {len(s.hands) for s in scenes}
    assert counts == {0, 1, 2}


def test_boxes_enclose_every_keypoint_in_frame_with_the_margin(scenes):
    checked = 0
    for scene in scenes:
        h, w = scene.image.shape[:2]
        for hand in scene.hands:
            x, y, bw, bh = hand.bbox
            assert hand.bbox == clipped_box(hand.uv, (w, h))
            assert 0 <= x and 0 <= y and x + bw <= w + 1e-6 and y + bh <= h + 1e-6
            inside = hand.uv[hand.in_frame]
            assert (inside >= [x, y]).all() and (inside <= [x + bw, y + bh]).all()
            # Margin: the keypoint extent grown by (scale - 1) / 2 of itself on
            # each side, wherever the frame does not cut it.
            lo, hi = hand.uv.min(axis=0), hand.uv.max(axis=0)
            margin = (hi - lo) * (KEYPOINT_BBOX_SCALE - 1) / 2
            expect_lo = np.maximum(lo - margin, 0)
            expect_hi = np.minimum(hi + margin, [w, h])
            np.testing.assert_allclose([x, y, x + bw, y + bh], [*expect_lo, *expect_hi],
                                       atol=1e-6)
            assert (hand.visible <= hand.in_frame).all()
            assert hand.uv.shape == (NUM_KEYPOINTS, 2)
            checked += 1
    assert checked >= 10


def test_hands_are_drawn_where_the_labels_say(scenes):
    for scene in scenes:
        labels = scene.label
        sides_drawn = {side for side in ('left', 'right')
                       if np.isin(labels, _hand_labels(side)).any()}
        if not scene.hands:
            assert not sides_drawn  # a zero-hand scene shows no hand pixel
        assert {hand.side for hand in scene.hands} == sides_drawn
        for hand in scene.hands:
            x, y, bw, bh = (int(round(v)) for v in hand.bbox)
            own = np.isin(labels, _hand_labels(hand.side))
            # Most of the hand's pixels lie in its box (the box is the keypoint
            # extent; finger surfaces stick out a little).
            assert own[y:y + bh, x:x + bw].sum() >= 0.8 * own.sum()


def test_left_and_right_hands_both_occur_and_pairs_are_one_of_each(scenes):
    sides = [hand.side for scene in scenes for hand in scene.hands]
    assert 'left' in sides and 'right' in sides
    for scene in scenes:
        if len(scene.hands) == 2:
            assert sorted(h.side for h in scene.hands) == ['left', 'right']


def test_scene_is_a_function_of_seed_split_and_index():
    a = render_hand_scene(SEED, 'val', 5, 'heldout')
    b = render_hand_scene(SEED, 'val', 5, 'heldout')
    np.testing.assert_array_equal(a.image, b.image)
    assert [h.bbox for h in a.hands] == [h.bbox for h in b.hands]
    c = render_hand_scene(SEED + 1, 'val', 5, 'heldout')
    assert not np.array_equal(a.image, c.image) if a.image.shape == c.image.shape else True


def _in_bands(value, bands):
    return any(lo <= value < hi for lo, hi in bands)


def test_heldout_family_shares_no_appearance_parameter_with_training():
    for family, split in (('train', 'train'), ('heldout', 'val')):
        other = 'heldout' if family == 'train' else 'train'
        for index in range(12):
            a = render_hand_scene(SEED, split, index, family).appearance
            assert a.family == family
            assert _in_bands(a.skin_blend, SKIN_BLEND_BANDS[family])
            assert not _in_bands(a.skin_blend, SKIN_BLEND_BANDS[other])
            assert _in_bands(a.light_kelvin, LIGHT_KELVIN_BANDS[family])
            assert not _in_bands(a.light_kelvin, LIGHT_KELVIN_BANDS[other])
            assert _in_bands(a.white_balance_mired, WHITE_BALANCE_MIRED_BANDS[family])
            assert any(lo <= a.jpeg_quality <= hi for lo, hi in JPEG_QUALITY_BANDS[family])
            names = PHOTO_FAMILIES if a.background_is_photo else PROCEDURAL_BACKGROUNDS
            assert a.background in names[family] and a.background not in names[other]


def test_unknown_split_or_family_is_refused():
    with pytest.raises(ValueError, match='split'):
        render_hand_scene(0, 'training', 0)
    with pytest.raises(ValueError, match='family'):
        render_hand_scene(0, 'train', 0, 'unseen')


@pytest.fixture(scope='module')
def scene_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scenes') / 'data')
    generate_scene_dataset(root, dict(train=10, val=3, test=3, test_seen=3), seed=SEED,
                           workers=1, progress=False)
    return root


def test_coco_files_hold_the_rendered_hands(scene_root):
    for split in SPLIT_FAMILIES:
        with open(os.path.join(scene_root, annotation_file(split))) as f:
            coco = json.load(f)
        assert coco['categories'][0]['name'] == 'hand'
        assert len(coco['categories'][0]['keypoints']) == NUM_KEYPOINTS
        scene_split = 'test' if split == 'test_seen' else split
        for image in coco['images']:
            index = image['id'] - 1
            scene = render_hand_scene(SEED, scene_split, index, SPLIT_FAMILIES[split])
            path = os.path.join(scene_root, 'images', split, image['file_name'])
            assert cv2.imread(path).shape == (image['height'], image['width'], 3)
            anns = [a for a in coco['annotations'] if a['image_id'] == image['id']]
            assert len(anns) == len(scene.hands)
            for ann, hand in zip(anns, scene.hands):
                np.testing.assert_allclose(ann['bbox'], hand.bbox, atol=0.01)
                kpts = np.array(ann['keypoints']).reshape(NUM_KEYPOINTS, 3)
                np.testing.assert_allclose(kpts[:, :2], hand.uv, atol=0.01)
                flags = np.where(hand.visible, 2, np.where(hand.in_frame, 1, 0))
                np.testing.assert_array_equal(kpts[:, 2], flags)
                assert ann['hand_side'] == hand.side and ann['iscrowd'] == 0


def test_test_seen_shows_the_test_scenes_in_training_appearances(scene_root):
    seen = render_hand_scene(SEED, 'test', 1, 'train')
    heldout = render_hand_scene(SEED, 'test', 1, 'heldout')
    assert [h.bbox for h in seen.hands] == [h.bbox for h in heldout.hands]
    assert seen.appearance.family == 'train' and heldout.appearance.family == 'heldout'


def test_output_does_not_depend_on_worker_count(scene_root, tmp_path):
    other = str(tmp_path / 'data')
    generate_scene_dataset(other, dict(train=10, val=3, test=3, test_seen=3), seed=SEED,
                           workers=2, progress=False)
    for dirpath, _, names in os.walk(scene_root):
        rel = os.path.relpath(dirpath, scene_root)
        _, mismatch, errors = filecmp.cmpfiles(dirpath, os.path.join(other, rel), names,
                                               shallow=False)
        assert not errors
        # The meta file carries no time; every file must match.
        assert not mismatch, mismatch


def test_existing_output_is_refused_without_overwrite(scene_root):
    with pytest.raises(FileExistsError, match='overwrite'):
        generate_scene_dataset(scene_root, dict(train=1), progress=False)
    with pytest.raises(ValueError, match='unknown splits'):
        generate_scene_dataset(scene_root + '_x', dict(training=1), progress=False)


def test_holds_scenes_matches_the_seed_and_every_count(scene_root, tmp_path):
    counts = dict(train=10, val=3, test=3, test_seen=3)
    assert holds_scenes(scene_root, counts, SEED)
    assert holds_scenes(scene_root, dict(val=3, test=3), SEED)  # a subset of the splits
    assert not holds_scenes(scene_root, counts, SEED + 1)
    assert not holds_scenes(scene_root, dict(counts, val=4), SEED)
    assert not holds_scenes(str(tmp_path), counts, SEED)        # nothing rendered there
    # A split counted 0 is not written, and matches its absence.
    root = str(tmp_path / 'val_only')
    generate_scene_dataset(root, dict(train=0, val=2), seed=SEED, workers=1, progress=False)
    assert holds_scenes(root, dict(train=0, val=2), SEED)
    assert not holds_scenes(root, dict(train=1, val=2), SEED)


def test_layouts_set_the_hand_size_distribution():
    # 20,000 first-hand sizes per layout, as shares of the frame's shorter side.
    shares = {}
    for name, layout in SCENE_LAYOUTS.items():
        rng = np.random.default_rng(0)
        shares[name] = np.array([_hand_size(rng, 100, layout) for _ in range(20000)]) / 100
    default, close = shares['default'], shares['close-up']
    assert default.min() >= 0.05 and default.max() <= 0.85
    assert close.min() >= 0.05 and close.max() <= 1.0
    # Large hands: 50% of draws, uniform in 0.3-0.85; close-up: 70% in 0.3-1.0,
    # so 0.7 * 0.15 / 0.7 = 15% above 0.85 (binomial sd about 0.25%).
    assert (default >= 0.3).mean() == pytest.approx(0.5, abs=0.015)
    assert (close >= 0.3).mean() == pytest.approx(0.7, abs=0.015)
    assert (close > 0.85).mean() == pytest.approx(0.15, abs=0.01)


def test_close_up_scenes_keep_frame_and_sides_with_larger_hands():
    default = [render_hand_scene(SEED, 'train', i) for i in range(16)]
    close = [render_hand_scene(SEED, 'train', i, layout='close-up') for i in range(16)]
    for d, c in zip(default, close):
        assert d.image.shape == c.image.shape  # the frame is drawn before the hands
        assert [h.side for h in d.hands] == [h.side for h in c.hands]

    def extent_share(scene, hand):
        return np.ptp(hand.uv, axis=0).max() / min(scene.image.shape[:2])
    sizes = {name: np.mean([extent_share(s, h) for s in scenes for h in s.hands])
             for name, scenes in (('default', default), ('close-up', close))}
    assert sizes['close-up'] > sizes['default']
    with pytest.raises(ValueError, match=r"layout must be one of \('default', 'close-up'\)"):
        render_hand_scene(SEED, 'train', 0, layout='webcam')


def test_the_layout_is_recorded_and_reuse_checks_it(scene_root, tmp_path):
    with open(os.path.join(scene_root, 'scene_meta.json')) as f:
        meta = json.load(f)
    assert meta['layout'] == 'default'
    counts = dict(train=10, val=3, test=3, test_seen=3)
    assert holds_scenes(scene_root, counts, SEED, 'default')
    assert not holds_scenes(scene_root, counts, SEED, 'close-up')
    # A meta file written before layouts existed holds the default layout.
    old = tmp_path / 'old'
    old.mkdir()
    del meta['layout']
    (old / 'scene_meta.json').write_text(json.dumps(meta))
    assert holds_scenes(str(old), counts, SEED)
    assert not holds_scenes(str(old), counts, SEED, 'close-up')
    with pytest.raises(ValueError, match='layout must be one of'):
        generate_scene_dataset(str(tmp_path / 'x'), dict(val=1), layout='near')
    assert not os.path.exists(tmp_path / 'x')  # refused before anything is written
