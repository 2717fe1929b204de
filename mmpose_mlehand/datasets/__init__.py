"""Datasets registered in MMPose's ``DATASETS`` registry: MMPose's hand
datasets with their annotation files checked before training
(:mod:`.annotation_checks` holds the checks as plain functions,
:mod:`.missing_data` what a missing file's error says)."""
from .annotation_checks import (InvalidAnnotationError, annotation_problem, check_annotation_file,
                                check_annotations, find_problems)
from .hand_datasets import CheckedCocoStyleDataset, CheckedFreiHandDataset, CheckedRhd2DDataset
from .missing_data import (MissingAnnotationFileError, missing_annotation_message,
                           require_annotation_file)

__all__ = [
    'CheckedCocoStyleDataset', 'CheckedFreiHandDataset', 'CheckedRhd2DDataset',
    'InvalidAnnotationError', 'annotation_problem', 'check_annotation_file',
    'check_annotations', 'find_problems', 'MissingAnnotationFileError',
    'missing_annotation_message', 'require_annotation_file'
]
