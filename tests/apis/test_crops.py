"""MMPose's top-down crop and its inverse (:mod:`mmpose_mlehand.apis.crops`),
and the layering rule that keeps inference free of the exporter."""
import ast
import glob
import os.path as osp

import numpy as np

from mmpose_mlehand.apis.crops import (bbox_xyxy_to_center_scale, crop_inputs, fix_aspect_ratio,
                                       keypoints_to_image)

# A 64x48 input (w, h): boxes get widened or heightened to 4:3.
INPUT_SIZE = (64, 48)


def test_box_centre_padded_size_and_aspect_ratio():
    centers, scales = bbox_xyxy_to_center_scale(np.array([[10, 20, 110, 70], [0, 0, 40, 80]]),
                                                1.25)
    np.testing.assert_allclose(centers, [[60, 45], [20, 40]])
    np.testing.assert_allclose(scales, [[125, 62.5], [50, 100]])
    # 125 x 62.5 is too flat for 4:3: heightened to 93.75; 50 x 100 widened to 133.33.
    np.testing.assert_allclose(fix_aspect_ratio(scales, 64 / 48),
                               [[125, 93.75], [100 * 4 / 3, 100]])


def test_crop_puts_an_image_point_where_the_mapping_says():
    """A blob at a known image point appears in the crop at the input pixel that
    keypoints_to_image maps back to that image point."""
    image = np.zeros((150, 200, 3), np.float32)
    ys, xs = np.mgrid[0:150, 0:200]
    point = np.array([60 + 31.25, 45 - 15.0])
    image[..., 1] = 200 * np.exp(-((xs - point[0]) ** 2 + (ys - point[1]) ** 2) / (2 * 3.0**2))
    inputs, centers, scales = crop_inputs(image.astype(np.uint8), [[10, 20, 110, 70]],
                                          INPUT_SIZE, 1.25, (0, 0, 0), (1, 1, 1), False)
    crop = inputs[0, 1]
    cy, cx = np.mgrid[0:INPUT_SIZE[1], 0:INPUT_SIZE[0]]
    centroid = np.array([(crop * cx).sum(), (crop * cy).sum()]) / crop.sum()
    # 31.25 px right of the centre = 16 input px; 15 px up = 7.68 input px.
    np.testing.assert_allclose(centroid, [32 + 16, 24 - 7.68], atol=0.05)
    back = keypoints_to_image(centroid[None, None], centers, scales, INPUT_SIZE)
    np.testing.assert_allclose(back[0, 0], point, atol=0.1)


def test_normalisation_and_channel_order():
    image = np.zeros((10, 10, 3), np.uint8)
    image[...] = (10, 20, 30)  # BGR
    inputs, _, _ = crop_inputs(image, None, (4, 4), 1.0, (1, 2, 3), (2, 4, 8), True)
    np.testing.assert_allclose(inputs[0, :, 2, 2], [(30 - 1) / 2, (20 - 2) / 4, (10 - 3) / 8])


def deploy_imports(path: str, package: str) -> list:
    """The imports of one source file that reach ``mmpose_mlehand.deploy``
    (absolute or relative, at any depth of the file), as ``line: module``."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), filename=path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = package.split('.')[:len(package.split('.')) - node.level + 1]
                prefix = '.'.join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ''
            # `from .. import deploy` names the module in the alias.
            modules = [prefix] + [f'{prefix}.{alias.name}' for alias in node.names]
        else:
            continue
        if any(m == 'mmpose_mlehand.deploy' or m.startswith('mmpose_mlehand.deploy.')
               for m in modules):
            found.append(f'{node.lineno}: {modules[0]}')
    return found


def test_no_apis_module_imports_deploy(repo_root):
    """apis/ holds the inference helpers; deploy/ may import them, never the reverse."""
    files = sorted(glob.glob(osp.join(repo_root, 'mmpose_mlehand', 'apis', '**', '*.py'),
                             recursive=True))
    assert osp.join(repo_root, 'mmpose_mlehand', 'apis', 'predictor.py') in files
    offenders = {}
    for path in files:
        package = osp.dirname(osp.relpath(path, repo_root)).replace(osp.sep, '.')
        found = deploy_imports(path, package)
        if found:
            offenders[osp.relpath(path, repo_root)] = found
    assert not offenders, offenders


def test_the_layering_check_finds_each_form_of_import(tmp_path):
    lines = ['from ..deploy.onnx_predictor import crop_inputs',
             'from .. import deploy',
             'import mmpose_mlehand.deploy.export',
             'from mmpose_mlehand.deploy import onnx_predictor',
             'def f():\n    from mmpose_mlehand import deploy']
    for line in lines:
        path = tmp_path / 'module.py'
        path.write_text(line + '\n')
        assert deploy_imports(str(path), 'mmpose_mlehand.apis'), line
    path.write_text('from .crops import crop_inputs\nfrom ..utils import precision\n'
                    'import mmpose_mlehand.deployment_notes\n')
    assert deploy_imports(str(path), 'mmpose_mlehand.apis') == []
