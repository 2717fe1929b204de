"""Let MMPose's 2-D inferencer use the boxes it is given (top-down models).

MMPose 1.3.2's ``Pose2DInferencer.preprocess_single`` accepts ``bboxes`` but
resets them to ``[]`` for top-down models, so ``inferencer(img, bboxes=...)``
silently crops by the detector or by the whole image. A hand model needs the
hand's box. With this patch the given boxes (``x1, y1, x2, y2`` and an optional
score; one list of boxes per input image) are used as they are, with no
detector and no threshold; without boxes MMPose's behaviour is unchanged.
"""
from typing import List, Sequence, Union

import numpy as np
from mmpose.apis.inferencers.pose2d_inferencer import Pose2DInferencer

_mmpose_preprocess_single = Pose2DInferencer.preprocess_single


def _preprocess_single_with_boxes(self: Pose2DInferencer,
                                  input: Union[str, np.ndarray],
                                  index: int,
                                  bbox_thr: float = 0.3,
                                  nms_thr: float = 0.3,
                                  bboxes: Union[Sequence, np.ndarray] = ()) -> List[dict]:
    """MMPose's preprocessing, with given boxes (N, 4) or (N, 5) cropped as given."""
    if self.cfg.data_mode != 'topdown' or bboxes is None or len(bboxes) == 0:
        return _mmpose_preprocess_single(self, input, index, bbox_thr=bbox_thr,
                                         nms_thr=nms_thr, bboxes=bboxes)
    boxes = np.asarray(bboxes, dtype=np.float32)
    if boxes.shape[-1] not in (4, 5):
        raise ValueError(f'input {index}: boxes must be (N, 4) x1, y1, x2, y2 or (N, 5) with '
                         f'a score, got shape {boxes.shape}')
    boxes = boxes.reshape(-1, boxes.shape[-1])
    if isinstance(input, str):
        data_info = dict(img_path=input)
    else:
        data_info = dict(img=input, img_path=f'{index}.jpg'.rjust(10, '0'))
    data_info.update(self.model.dataset_meta)
    infos = []
    for box in boxes:
        score = box[4:5] if len(box) == 5 else np.ones(1, dtype=np.float32)
        infos.append(self.pipeline(dict(data_info, bbox=box[None, :4], bbox_score=score)))
    return infos


def register_inferencer_boxes() -> None:
    """Install the box-aware preprocessing in MMPose's ``Pose2DInferencer``; idempotent."""
    Pose2DInferencer.preprocess_single = _preprocess_single_with_boxes
