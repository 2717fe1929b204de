"""Session fixtures; the helpers they use live in :mod:`tests.helpers`."""
import itertools
import os
import os.path as osp

import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmpose.utils import register_all_modules

import mmpose_mlehand.plugin  # noqa: F401  (registers the plugin)
from tests.helpers import REPO_ROOT, tiny_cfg, write_dot_freihand

# Build through MMPose's registries as its runner does (default scope 'mmpose').
register_all_modules(init_default_scope=True)
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
_scope_names = itertools.count()


def _enter_mmpose_scope() -> None:
    """Make MMPose's scope the current default scope, if it is not already."""
    current = DefaultScope.get_current_instance()
    if current is None or current.scope_name != 'mmpose':
        DefaultScope.get_instance(f'mmpose-tests-{next(_scope_names)}', scope_name='mmpose')


# Every module and every test start in MMPose's default scope: a runner built
# from another library's config (mmdet's, for the hand detector) leaves its
# scope current, and MMPose's registries would then look up their modules in
# mmdet's. The module-scoped one runs before a module's own module fixtures.
@pytest.fixture(autouse=True, scope='module')
def mmpose_default_scope_per_module():
    _enter_mmpose_scope()


@pytest.fixture(autouse=True)
def mmpose_default_scope():
    _enter_mmpose_scope()


@pytest.fixture(scope='session')
def repo_root() -> str:
    """The repository's root folder (configs/, tools/ live there)."""
    return REPO_ROOT


@pytest.fixture(scope='session')
def dot_freihand_root(tmp_path_factory) -> str:
    """A tiny FreiHAND-style data set: 16 train, 8 val, 8 test images."""
    root = str(tmp_path_factory.mktemp('dot_freihand'))
    return write_dot_freihand(root, dict(train=16, val=8, test=8))


@pytest.fixture(scope='session')
def trained_checkpoint(dot_freihand_root, tmp_path_factory):
    """One epoch (4 iterations) of the quick-start model: (work_dir, epoch_1.pth)."""
    work_dir = str(tmp_path_factory.mktemp('ckpt_run'))
    runner = Runner.from_cfg(tiny_cfg(dot_freihand_root, work_dir, max_epochs=1))
    runner.train()
    return work_dir, osp.join(work_dir, 'epoch_1.pth')
