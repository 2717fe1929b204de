"""What the label-noise benchmark runs: models, noise levels, recipes, presets.

Plain data (no torch, no MMPose): :mod:`.sweep` plans runs from it and
:mod:`.single_run` turns one run into an MMEngine config.
"""
from dataclasses import dataclass
from typing import Dict, Optional, Tuple


@dataclass(frozen=True)
class Recipe:
    """A baseline's recommended (MMPose) recipe, relative to the paper's.

    Attributes:
        name (str): The MMPose config it comes from.
        lr_ratio (float): Its Adam lr over the paper's (1e-3).
        milestones (tuple): Its lr steps (x0.1) as fractions of training.
        warmup (bool): Linear warm-up from 0.001 x lr (MMPose: 500 iterations).
    """

    name: str
    lr_ratio: float
    milestones: Tuple[float, ...]
    warmup: bool = True


# MMPose's recipes (configs/README.md): Adam, 500-iteration linear warm-up,
# x0.1 steps; lr 5e-4 (RLE 1e-3).
HEATMAP_RECIPE = Recipe('td-hm_res50_8xb64-100e_freihand2d-224x224', 0.5, (50 / 100, 70 / 100))
IPR_RECIPE = Recipe('ipr_res50_8xb64-210e_coco-256x256', 0.5, (170 / 210, 200 / 210))
RLE_RECIPE = Recipe('td-reg_res50_rle-8xb64-210e_coco-256x192', 1.0, (170 / 210, 200 / 210))
CPM_RECIPE = Recipe('td-hm_cpm_8xb64-210e_coco-256x192', 0.5, (170 / 210, 200 / 210))


@dataclass(frozen=True)
class ModelSpec:
    """One model of the benchmark.

    Attributes:
        key (str): Name on the command line (``--models``).
        label (str): Name in tables and figures.
        family (str): ``'method'``, ``'ablation'`` (the method's model with
            another loss: the paper's loss comparison) or ``'baseline'``.
        cpu_config (str): CPU-sized config (``configs/experiments/``).
        paper_config (str): Paper-sized config on synthetic FreiHAND.
        stages (bool): A :class:`SequentialIntegralHead`: every stage is
            scored (``StagewiseHandMetric``).
        sigmas (bool): Trained sigmas: the uncertainty is scored
            (``KeypointUncertaintyMetric``).
        recipe (Recipe, optional): The recommended recipe; None when the
            paper's schedule is the model's own (method, ablations).
        variant (str, optional): A measured alternative of a choice the
            paper leaves open (see :mod:`.single_run`).
    """

    key: str
    label: str
    family: str
    cpu_config: str
    paper_config: str
    stages: bool = False
    sigmas: bool = False
    recipe: Optional[Recipe] = None
    variant: Optional[str] = None


_CPU = 'configs/experiments/{}_synthetic-freihand-96x96.py'
_PAPER = 'configs/baselines/{}_synthetic-freihand-256x256.py'

MODEL_SPECS: Dict[str, ModelSpec] = {spec.key: spec for spec in (
    ModelSpec('mlehand', 'MLE loss (method)', 'method',
              _CPU.format('mlehand_res18-half'), 'configs/mlehand_res50_synthetic-freihand.py',
              stages=True, sigmas=True),
    ModelSpec('mlehand-ablation-integral-l1', 'Integral L1 loss (ablation)', 'ablation',
              _CPU.format('mlehand-ablation-integral-l1_res18-half'),
              _PAPER.format('mlehand-ablation-integral-l1_res50'), stages=True),
    ModelSpec('mlehand-ablation-heatmap-l2', 'heatmap L2 loss (ablation)', 'ablation',
              _CPU.format('mlehand-ablation-heatmap-l2_res18-half'),
              _PAPER.format('mlehand-ablation-heatmap-l2_res50'), stages=True),
    # The heatmap-L2 ablation's open choices, measured (see the model base).
    ModelSpec('mlehand-ablation-heatmap-l2-unitloss',
              'heatmap L2 loss, weight 4 pi sigma^2 HW (ablation variant)', 'ablation',
              _CPU.format('mlehand-ablation-heatmap-l2_res18-half'),
              _PAPER.format('mlehand-ablation-heatmap-l2_res50'), stages=True,
              variant='unit-loss'),
    ModelSpec('mlehand-ablation-heatmap-l2-peak1',
              'heatmap L2 loss, peak-1 target (ablation variant)', 'ablation',
              _CPU.format('mlehand-ablation-heatmap-l2_res18-half'),
              _PAPER.format('mlehand-ablation-heatmap-l2_res50'), stages=True,
              variant='peak1-target'),
    ModelSpec('heatmap-l2', 'heatmap L2 (SimpleBaseline)', 'baseline',
              _CPU.format('heatmap-l2_res18-half'), _PAPER.format('heatmap-l2_res50'),
              recipe=HEATMAP_RECIPE),
    ModelSpec('integral-l1', 'Integral regression (L1)', 'baseline',
              _CPU.format('integral-l1_res18-half'), _PAPER.format('integral-l1_res50'),
              recipe=IPR_RECIPE),
    ModelSpec('rle', 'RLE', 'baseline',
              _CPU.format('rle_res18-half'), _PAPER.format('rle_res50'), sigmas=True,
              recipe=RLE_RECIPE),
    ModelSpec('cpm', 'CPM', 'baseline',
              _CPU.format('cpm_cpm'), _PAPER.format('cpm_cpm'), recipe=CPM_RECIPE),
)}

#: The paper's models: the method, the four baselines and the two ablations.
PAPER_MODELS = ('mlehand', 'heatmap-l2', 'integral-l1', 'rle', 'cpm',
                'mlehand-ablation-heatmap-l2', 'mlehand-ablation-integral-l1')


@dataclass(frozen=True)
class NoiseLevel:
    """Training-label noise (``tools/make_synthetic_hands.py --label-noise``).

    Validation and test labels are always clean.
    """

    key: str
    label_noise: str
    description: str


NOISE_LEVELS: Dict[str, NoiseLevel] = {level.key: level for level in (
    NoiseLevel('clean', 'none', 'clean labels'),
    NoiseLevel('gauss6', 'gaussian:6',
               'Gaussian noise, sigma 6 px on u and v (224 px images)'),
    NoiseLevel('gauss6-out20', 'gaussian:6+outliers:0.2',
               'Gaussian noise, sigma 6 px, then 20% of the keypoints moved to a '
               "uniform point of the hand's 1.2x keypoint box"),
    # Systematic errors, as annotators make them (issue 24).
    NoiseLevel('tipshort30', 'tipshort:0.3',
               'every fingertip labelled short of the tip, moved 30% of its last bone '
               'toward the previous joint (systematic: every training hand, no randomness)'),
    NoiseLevel('swap10', 'swap:0.1',
               'neighbouring fingers confused: per hand, each of the pairs thumb-index, '
               "index-middle, middle-ring, ring-little has its two fingers' labels swapped "
               'with probability 0.1'),
)}

#: The noise levels of the first sweeps, named explicitly so that presets keep
#: the runs they had when levels are added.
FIRST_NOISE_LEVELS = ('clean', 'gauss6', 'gauss6-out20')


@dataclass(frozen=True)
class RunBlock:
    """Runs that a preset makes: every model at every noise level and seed,
    in every recipe (``shared`` and/or ``recommended``; the latter for the
    models that have one)."""

    models: Tuple[str, ...]
    noise: Tuple[str, ...]
    seeds: Tuple[int, ...]
    recipes: Tuple[str, ...] = ('shared', )


@dataclass(frozen=True)
class Preset:
    """A benchmark size.

    Attributes:
        name (str): ``tiny``, ``small``, ``medium`` or ``full``.
        size (str): ``'cpu'`` (configs/experiments) or ``'paper'``.
        models, noise, seeds: What runs by default (every combination),
            unless ``blocks`` is given.
        num_samples (int): Synthetic hands per data set (8:1:1 split).
        style (str): Generator scene style.
        epochs (int): Training epochs, the same for every model.
        batch_size (int): Training batch, the same for every model.
        workers (int): Generator processes and dataloader workers.
        pretrained (bool): Keep the configs' ImageNet initialisation.
        description (str): One line for ``--help`` and the results.
        blocks (tuple[RunBlock]): What runs by default when not every
            combination of ``models``, ``noise`` and ``seeds`` is wanted
            (those then hold the blocks' union, for ``--help``).
    """

    name: str
    size: str
    models: Tuple[str, ...]
    noise: Tuple[str, ...]
    seeds: Tuple[int, ...]
    num_samples: int
    style: str
    epochs: int
    batch_size: int
    workers: int
    pretrained: bool = False
    description: str = ''
    blocks: Tuple[RunBlock, ...] = ()


LOSS_COMPARISON = ('mlehand', 'mlehand-ablation-integral-l1', 'mlehand-ablation-heatmap-l2',
                   'rle')

#: The medium sweep (issue 24), in the order its blocks run, so that an
#: interrupted sweep has decided the most: (1) the loss comparison and the
#: stages, 6 seeds; (2) robustness to label noise, random and systematic, 6
#: seeds; (3) the Fig. 7 baselines on clean labels, each on the shared schedule
#: and on its recommended recipe, 3 seeds (paired with the method's). Not CPM:
#: its 9x9-kernel, 128-channel stem takes 4.5 s per training step on this
#: CPU (the method 0.21 s), 9 hours a run at this budget; it runs in ``full``.
MEDIUM_BLOCKS = (
    RunBlock(('mlehand', 'mlehand-ablation-integral-l1', 'mlehand-ablation-heatmap-l2-peak1'),
             ('clean', ), tuple(range(6))),
    RunBlock(('mlehand', 'mlehand-ablation-integral-l1'), ('gauss6-out20', 'swap10'),
             tuple(range(6))),
    RunBlock(('integral-l1', 'heatmap-l2', 'rle'), ('clean', ), (0, 1, 2),
             ('shared', 'recommended')),
)


def _union(blocks: Tuple[RunBlock, ...]) -> Tuple[tuple, tuple, tuple]:
    """The models, noise levels and seeds of some run blocks, in first-seen
    order."""
    return tuple(tuple(dict.fromkeys(x for block in blocks for x in getattr(block, field)))
                 for field in ('models', 'noise', 'seeds'))


PRESETS: Dict[str, Preset] = {preset.name: preset for preset in (
    Preset('tiny', 'cpu', ('mlehand', 'rle'), ('clean', 'gauss6-out20'), (0, ),
           num_samples=40, style='clean', epochs=1, batch_size=4, workers=0,
           description='seconds, for tests: 40 hands, one epoch'),
    Preset('small', 'cpu', LOSS_COMPARISON, FIRST_NOISE_LEVELS, (0, 1),
           num_samples=6000, style='clean', epochs=2, batch_size=8, workers=2,
           description="the paper's loss comparison (MLE, Integral-L1 ablation, "
           'heatmap-L2 ablation, RLE) on the quick start\'s CPU recipe: 6,000 hands '
           '(4,800 train), 2 epochs at batch 8 (1,200 updates) per run'),
    Preset('medium', 'cpu', *_union(MEDIUM_BLOCKS),
           num_samples=6000, style='photo', epochs=12, batch_size=8, workers=2,
           blocks=MEDIUM_BLOCKS,
           description="the paper's claims with power (issue 24): 6,000 photo-style hands "
           '(4,800 train), 12 epochs at batch 8 (7,200 updates: where the method and the '
           'Integral-L1 ablation stopped improving on validation, docs/results.md) per run, '
           'about 22 min a run here; the loss comparison first'),
    Preset('full', 'paper', PAPER_MODELS, FIRST_NOISE_LEVELS, (0, 1),
           num_samples=16000, style='full', epochs=40, batch_size=32, workers=8,
           pretrained=True,
           description='every model, paper-sized (ResNet-50, 256x256, ImageNet weights), '
           '16,000 hands in the full style, 40 epochs at batch 32: for a GPU'),
)}
