"""What to run when a hand data set's annotation file is missing.

A fresh clone has no ``data/``: ``mim train mmpose configs/mlehand_res50_freihand.py``
would end in Python's bare ``No such file or directory``. The plugin's
datasets (:mod:`.hand_datasets`) call :func:`require_annotation_file` first,
whose :class:`MissingAnnotationFileError` names the file, the converter
command that writes it (with the config's folders), where its raw release
comes from, and the synthetic-hands recipe that needs no download.

Only the standard library is used.
"""
import os.path as osp
import shlex
from typing import Dict, NamedTuple, Optional, Tuple


class DataSource(NamedTuple):
    """How the annotation files of one data set are made.

    Attributes:
        title (str): The data set's name in words.
        files (str): The annotation files the converter writes.
        converter (str): The converter's script.
        options (tuple): Converter options the configs expect.
        layout (str): What the converter's ``--root`` folder holds.
        release (str): The official release: its archives and where they
            come from.
        generator_format (str): ``tools/make_synthetic_hands.py --format``
            value that renders synthetic hands in the same raw layout.
    """
    title: str
    files: str
    converter: str
    options: Tuple[str, ...]
    layout: str
    release: str
    generator_format: str


#: Keyed by the ``dataset_name`` of MMPose's metainfo (``freihand2d.py``,
#: ``rhd2d.py``); the archive names are the README's ("Using the real data sets").
DATA_SOURCES: Dict[str, DataSource] = {
    'freihand': DataSource(
        title='FreiHAND',
        files='freihand_{train,val,test}.json; freihand_eval.json from the evaluation set',
        converter='tools/convert_freihand.py',
        options=(),
        layout='training/ and training_*.json',
        release='FreiHAND v2, FreiHAND_pub_v2.zip (FreiHAND_pub_v2_eval.zip for '
        'freihand_eval.json), https://lmb.informatik.uni-freiburg.de/projects/freihand/',
        generator_format='freihand'),
    'rhd2d': DataSource(
        title='RHD',
        files='rhd_{train,val,test}.json',
        converter='tools/convert_rhd.py',
        options=('--protocol', 'paper'),
        layout='training/ and evaluation/',
        release='RHD v1.1, RHD_v1-1.zip, https://lmb.informatik.uni-freiburg.de/resources/'
        'datasets/RenderedHandposeDataset.en.html',
        generator_format='rhd'),
}

#: The method's config on synthetic hands, and the commands that make its data
#: (the README's "Synthetic hands" and converter commands): nothing to download.
SYNTHETIC_CONFIG = 'configs/mlehand_res50_synthetic-freihand.py'
SYNTHETIC_COMMANDS = (
    'python tools/make_synthetic_hands.py --format freihand --num 2000 '
    '--out data/synthetic_freihand --workers 2',
    'python tools/convert_freihand.py --root data/synthetic_freihand '
    '--out data/synthetic_freihand/annotations',
    f'mim train mmpose {SYNTHETIC_CONFIG}',
)


class MissingAnnotationFileError(FileNotFoundError):
    """An annotation file does not exist; the message says what writes it.

    Args:
        message (str): The whole message (:func:`missing_annotation_message`).
        filename (str): The missing file (``FileNotFoundError.filename``).
    """

    def __init__(self, message: str, filename: str):
        super().__init__(message)
        self.message = message
        self.filename = filename

    def __str__(self) -> str:
        # OSError would print '[Errno None] None: <filename>' once filename is set.
        return self.message


def missing_annotation_message(ann_file: str, dataset_name: str,
                               data_root: Optional[str] = None) -> str:
    """The error message for a missing annotation file.

    Args:
        ann_file (str): The missing file, as the dataset resolved it
            (``data_root`` joined).
        dataset_name (str): ``dataset_name`` of the dataset's metainfo; a name
            without an entry in :data:`DATA_SOURCES` gets the file and the
            synthetic recipe only.
        data_root (str, optional): The dataset's ``data_root``: the raw
            release's folder in the converter command. Default: the folder
            above the annotation file's.

    Returns:
        str: Several lines: the file, the converter command with the config's
        folders and the raw data it reads, then the commands that train on
        synthetic hands without any download.
    """
    lines = [f'annotation file {ann_file} does not exist.']
    source = DATA_SOURCES.get(dataset_name)
    if source is not None:
        out_dir = osp.dirname(ann_file) or '.'
        root = (data_root or '').rstrip('/\\') or osp.dirname(out_dir) or '.'
        command = ['python', source.converter, '--root', root, '--out', out_dir]
        command += list(source.options)
        lines += [
            f"{source.title}'s annotation files ({source.files}) are written by",
            '  ' + ' '.join(shlex.quote(part) for part in command),
            f'from the official release unpacked so that {root} holds {source.layout}: '
            f'{source.release}',
            f'(or from synthetic hands in that layout: python tools/make_synthetic_hands.py '
            f'--format {source.generator_format} --out {shlex.quote(root)}).',
        ]
    lines += ['Without any download: render synthetic hands, convert them and train the '
              'synthetic config:']
    lines += ['  ' + command for command in SYNTHETIC_COMMANDS]
    lines.append('or run `make quickstart` (all of it with a CPU-sized model).')
    return '\n'.join(lines)


def require_annotation_file(ann_file: str, dataset_name: str,
                            data_root: Optional[str] = None) -> None:
    """Raise :class:`MissingAnnotationFileError` if ``ann_file`` is not a file.

    Args:
        ann_file (str): The annotation file (``data_root`` joined).
        dataset_name (str): ``dataset_name`` of the dataset's metainfo.
        data_root (str, optional): The dataset's ``data_root``.

    Raises:
        MissingAnnotationFileError: A ``FileNotFoundError`` whose message is
            :func:`missing_annotation_message`.
    """
    if not osp.isfile(ann_file):
        raise MissingAnnotationFileError(
            missing_annotation_message(ann_file, dataset_name, data_root), ann_file)
