"""MMPose's hand datasets, with the annotation file checked before it is read:
present (a missing file says what writes it) and holding valid labels."""
from typing import List, Optional, Sequence

from mmpose.datasets import BaseCocoStyleDataset, FreiHandDataset, Rhd2DDataset
from mmpose.registry import DATASETS

from .annotation_checks import check_annotation_file
from .missing_data import require_annotation_file


class CheckedAnnotationsMixin:
    """Check the annotation file before MMPose parses it: that it exists
    (:func:`require_annotation_file`: the ``FileNotFoundError`` names the
    converter command that writes it and the synthetic config that needs no
    download) and that its labels are valid (:func:`check_annotation_file`);
    mixed into MMPose's COCO-style datasets.

    The number and names of the keypoints come from the dataset's metainfo.
    Detection-result files (``bbox_file``, test only) are not label files and
    are left to MMPose.
    """

    def _load_annotations(self) -> List[dict]:
        metainfo = self.metainfo
        require_annotation_file(self.ann_file, metainfo.get('dataset_name', ''), self.data_root)
        names: Optional[Sequence[str]] = None
        if 'keypoint_id2name' in metainfo:
            id2name = metainfo['keypoint_id2name']
            names = [id2name[i] for i in sorted(id2name)]
        check_annotation_file(self.ann_file, metainfo['num_keypoints'], names)
        return super()._load_annotations()


@DATASETS.register_module()
class CheckedFreiHandDataset(CheckedAnnotationsMixin, FreiHandDataset):
    """MMPose's :class:`FreiHandDataset` (whole 224x224 image as the box)
    that refuses an annotation file with invalid labels: a non-finite
    keypoint, a visibility outside {0, 1, 2}, a keypoint count other than 21,
    or a box that is missing, non-finite or of zero or negative size. The
    ``ValueError`` names the file, the annotation ids and the problems, and is
    raised when the dataset is built, before the first training iteration."""


@DATASETS.register_module()
class CheckedRhd2DDataset(CheckedAnnotationsMixin, Rhd2DDataset):
    """MMPose's :class:`Rhd2DDataset` that refuses an annotation file with
    invalid labels (the checks of :class:`CheckedFreiHandDataset`)."""


@DATASETS.register_module()
class CheckedCocoStyleDataset(CheckedAnnotationsMixin, BaseCocoStyleDataset):
    """MMPose's :class:`BaseCocoStyleDataset` (boxes as in the file; keypoints
    from ``metainfo``) that refuses an annotation file with invalid labels
    (the checks of :class:`CheckedFreiHandDataset`, with the keypoint count of
    its ``metainfo``)."""
