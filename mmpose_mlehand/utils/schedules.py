"""Fit a config's training schedule to another number of epochs."""


def set_training_epochs(cfg, epochs: int) -> None:
    """Train ``cfg`` for ``epochs`` epochs, its epoch-based schedulers ending with them.

    Epoch-based parameter schedulers (``by_epoch`` true, MMEngine's default: the
    cosine decay) end at ``epochs``, and a cosine's ``T_max`` follows, so the decay
    still reaches its floor on the last epoch; iteration-based ones (a warm-up)
    keep their length. Edits ``cfg`` (an MMEngine ``Config``) in place.

    Args:
        cfg (mmengine.Config): A training config with ``train_cfg.max_epochs``
            and a ``param_scheduler`` list.
        epochs (int): The new number of epochs.

    Raises:
        ValueError: For a number of epochs below 1.
    """
    if epochs < 1:
        raise ValueError(f'epochs must be at least 1, got {epochs}')
    cfg.train_cfg.max_epochs = epochs
    for scheduler in cfg.param_scheduler:
        if scheduler.get('by_epoch', True):
            scheduler.end = epochs
            if 'T_max' in scheduler:  # the cosine decay; other schedulers have none
                scheduler.T_max = epochs
