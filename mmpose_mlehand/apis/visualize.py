"""Run MMPose's inferencer with a plugin checkpoint and save the drawn skeleton."""
import os
import os.path as osp
import tempfile
from typing import Dict

import cv2
import numpy as np
from mmpose.apis import MMPoseInferencer

from ..utils import atomic_write_bytes


def predict_and_draw(config: str, checkpoint: str, image: str, out_file: str,
                     device: str = 'cpu') -> Dict[str, np.ndarray]:
    """Predict the hand keypoints of a whole image and write the visualisation.

    Uses :class:`mmpose.apis.MMPoseInferencer` with ``det_model='whole_image'``
    (no detector weights to download): the whole image is the hand box, as in
    FreiHAND crops.

    Args:
        config (str): Model config.
        checkpoint (str): Checkpoint written by MMEngine.
        image (str): Input image.
        out_file (str): Output picture (PNG or JPEG by extension), written
            atomically.
        device (str): Torch device.

    Returns:
        dict: ``keypoints`` (K, 2) in image pixels and ``keypoint_scores`` (K,).
    """
    inferencer = MMPoseInferencer(pose2d=config, pose2d_weights=checkpoint,
                                  det_model='whole_image', device=device)
    with tempfile.TemporaryDirectory() as vis_dir:
        result = next(inferencer(image, vis_out_dir=vis_dir, radius=3, thickness=2))
        drawn, = os.listdir(vis_dir)
        picture = cv2.imread(osp.join(vis_dir, drawn))
    ok, encoded = cv2.imencode(osp.splitext(out_file)[1] or '.png', picture)
    if not ok:
        raise ValueError(f'cannot encode the picture as {out_file}')
    atomic_write_bytes(out_file, encoded.tobytes())
    instance = result['predictions'][0][0]
    return dict(keypoints=np.asarray(instance['keypoints']),
                keypoint_scores=np.asarray(instance['keypoint_scores']))
