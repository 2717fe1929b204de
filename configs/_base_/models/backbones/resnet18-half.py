# A half-width ResNet-18 from scratch, cut after its third stage: stride-16,
# 128-channel features (6x6 for a 96x96 input instead of 3x3 at stride 32), for
# CPU-sized training. As the variable `backbone` (see resnet50.py).
backbone = dict(
    type='ResNet',
    depth=18,
    base_channels=32,
    num_stages=3,
    out_indices=(2, ),
    strides=(1, 2, 2),
    dilations=(1, 1, 1),
    init_cfg=None)
