# MLE-loss driven sequential integral model (the paper), FreiHAND, 256x256.
#   mim train mmpose configs/mlehand_res50_freihand.py            # 1 GPU, batch 32
#   mim train mmpose configs/mlehand_res50_freihand.py --gpus 4 --launcher pytorch
_base_ = [
    './_base_/schedules/adam_120e.py',
    './_base_/datasets/freihand.py',
    './_base_/models/mlehand_res50.py',
]

model = dict(head=dict(decoder=_base_.codec))
