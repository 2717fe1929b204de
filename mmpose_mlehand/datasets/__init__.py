"""Datasets registered in MMPose's ``DATASETS`` registry: MMPose's hand
datasets with their annotation files checked before training
(:mod:`.annotation_checks` holds the checks as plain functions)."""
from .annotation_checks import (InvalidAnnotationError, annotation_problem, check_annotation_file,
                                check_annotations, find_problems)
from .hand_datasets import CheckedCocoStyleDataset, CheckedFreiHandDataset, CheckedRhd2DDataset

__all__ = [
    'CheckedCocoStyleDataset', 'CheckedFreiHandDataset', 'CheckedRhd2DDataset',
    'InvalidAnnotationError', 'annotation_problem', 'check_annotation_file',
    'check_annotations', 'find_problems'
]
