# ResNet-50 (stride-32, 2048-channel features) with ImageNet weights, as the
# variable `backbone`: model bases put it in with `model = dict(backbone=_base_.backbone)`
# (MMEngine refuses two bases that both define `model`).
#
# `torchvision://resnet50` is read from torch's hub cache
# (~/.cache/torch/hub/checkpoints/resnet50-*.pth) and downloaded only if missing.
# Offline, switch it off or point it at a local file with one override:
#   --cfg-options model.backbone.init_cfg=None
#   --cfg-options model.backbone.init_cfg.checkpoint=/path/to/resnet50.pth
backbone = dict(
    type='ResNet',
    depth=50,
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50'))
