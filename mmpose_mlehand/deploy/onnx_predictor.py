"""Hand keypoints from an exported ONNX model with ONNX Runtime.

This module imports only numpy, OpenCV and ONNX Runtime (no torch, no MMPose):
copy it and ``mmpose_mlehand/apis/crops.py`` next to a ``model.onnx`` written
by ``tools/export_onnx.py`` and run::

    from onnx_predictor import OnnxHandPredictor
    predictor = OnnxHandPredictor('model.onnx')
    keypoints, scores = predictor(cv2.imread('hand.jpg'), bboxes=[[x1, y1, x2, y2]])

The pre- and post-processing are MMPose's top-down pipeline, reproduced
operation by operation in :mod:`mmpose_mlehand.apis.crops` (shared with the
PyTorch predictor) so that the numbers match (tested against
``mmpose.apis.inference_topdown``).

Everything the pipeline needs (input size, padding, mean, std, channel order,
keypoint names, skeleton) is read from the ONNX file's metadata (key
``mmpose_mlehand``), written by :func:`mmpose_mlehand.deploy.export_onnx`.
"""
import json
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

if __package__:
    from ..apis.crops import crop_inputs, keypoints_to_image, normalised_black, predict_upright
else:  # copied out of the package next to the model, with crops.py beside it
    from crops import crop_inputs, keypoints_to_image, normalised_black, predict_upright

METADATA_KEY = 'mmpose_mlehand'


class OnnxHandPredictor:
    """Top-down hand keypoints with an exported model and ONNX Runtime.

    Args:
        model_file (str): ONNX file written by ``tools/export_onnx.py``.
        providers (Sequence[str], optional): ONNX Runtime execution providers;
            default: ``CPUExecutionProvider``.
        num_threads (int, optional): Intra-op threads (default: ONNX
            Runtime's choice, one per core).
        allow_spinning (bool): Let the intra-op threads spin-wait for work
            after a run (ONNX Runtime's default: lowest latency alone). Turn
            it off when another session (the detector) runs in between: on
            2 cores the spinning threads of one slow the other, and a
            detector + pose frame took twice its parts (65 ms against 31).

    Attributes:
        meta (dict): The export metadata: ``input_size`` (w, h), ``padding``,
            ``mean``, ``std``, ``bgr_to_rgb``, ``flip_test``, ``upright``
            (hands turned far from upright are predicted again upright, as
            by the PyTorch model: :func:`~mmpose_mlehand.apis.crops.predict_upright`),
            ``keypoint_names``, ``skeleton_links``, ``outputs``.
    """

    def __init__(self, model_file: str, providers: Optional[Sequence[str]] = None,
                 num_threads: Optional[int] = None, allow_spinning: bool = True):
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if num_threads:
            options.intra_op_num_threads = num_threads
        if not allow_spinning:
            options.add_session_config_entry('session.intra_op.allow_spinning', '0')
        self.session = ort.InferenceSession(
            model_file, sess_options=options,
            providers=list(providers or ['CPUExecutionProvider']))
        raw = self.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
        if raw is None:
            raise ValueError(f'{model_file} has no {METADATA_KEY!r} metadata: export it with '
                             'tools/export_onnx.py')
        self.meta: Dict = json.loads(raw)
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [out.name for out in self.session.get_outputs()]
        self.input_size = tuple(self.meta['input_size'])

    def run(self, inputs: np.ndarray) -> Dict[str, np.ndarray]:
        """Run the network on normalised crops (N, 3, h, w); returns its
        outputs by name (``keypoints`` in input pixels, ``scores``,
        ``sigmas`` for the method's models)."""
        outputs = self.session.run(None, {self.input_name: np.ascontiguousarray(inputs)})
        return dict(zip(self.output_names, outputs))

    def __call__(self, image: np.ndarray,
                 bboxes: Optional[Union[np.ndarray, List[List[float]]]] = None
                 ) -> Tuple[np.ndarray, np.ndarray]:
        """Predict the keypoints of each hand box of a BGR image.

        Args:
            image (np.ndarray): (H, W, 3) uint8 BGR image.
            bboxes (np.ndarray, optional): (N, 4) xyxy hand boxes; ``None``:
                the whole image is the box.

        Returns:
            tuple: keypoints (N, K, 2) in image pixels and scores (N, K).
        """
        meta = self.meta
        inputs, centers, scales = crop_inputs(image, bboxes, self.input_size, meta['padding'],
                                              meta['mean'], meta['std'], meta['bgr_to_rgb'])
        outputs = self.run(inputs)
        if 'keypoints' not in outputs:
            raise ValueError('this ONNX model outputs heatmaps, not keypoints')
        if meta.get('upright') is not None:  # absent from files exported before it
            outputs = predict_upright(lambda crops, _: self.run(crops), inputs, outputs,
                                      meta['upright'], normalised_black(meta['mean'], meta['std']))
        keypoints = keypoints_to_image(outputs['keypoints'], centers, scales, self.input_size)
        return keypoints, outputs['scores']

    predict = __call__
