"""set_training_epochs stretches the epoch-based schedulers and only those."""
import pytest
from mmengine.config import Config

from mmpose_mlehand.utils.schedules import set_training_epochs


def make_cfg():
    return Config(dict(
        train_cfg=dict(by_epoch=True, max_epochs=6, val_interval=1),
        param_scheduler=[
            dict(type='LinearLR', begin=0, end=100, start_factor=0.01, by_epoch=False),
            dict(type='CosineAnnealingLR', begin=0, end=6, T_max=6, eta_min=1e-5,
                 by_epoch=True, convert_to_iter_based=True),
            # no by_epoch key: MMEngine's schedulers are epoch-based by default
            dict(type='MultiStepLR', begin=0, end=6, milestones=[4]),
        ]))


def test_epoch_based_schedulers_end_with_the_new_epochs_and_the_warm_up_keeps_its_length():
    cfg = make_cfg()
    set_training_epochs(cfg, 14)
    assert cfg.train_cfg.max_epochs == 14
    warm_up, cosine, steps = cfg.param_scheduler
    assert warm_up == make_cfg().param_scheduler[0]
    assert (cosine.end, cosine.T_max, cosine.eta_min) == (14, 14, 1e-5)
    assert steps.end == 14 and 'T_max' not in steps and steps.milestones == [4]


def test_fewer_than_one_epoch_is_refused():
    with pytest.raises(ValueError, match='at least 1, got 0'):
        set_training_epochs(make_cfg(), 0)
