# MMPose's recipe for heatmap models on FreiHAND (td-hm_res50_8xb64-100e_freihand2d-224x224),
# a baseline's "recommended configuration" (paper section IV-C): Adam 5e-4 with a
# 500-iteration linear warm-up from 0.001 x lr, 100 epochs, lr x0.1 after epochs
# 50 and 70, for a total batch of 512 (--auto-scale-lr rescales the lr for
# another one). Everything else (runtime, validation, model selection,
# checkpoints) is the shared schedule's.
_base_ = ['./adam_120e.py']

train_cfg = dict(max_epochs=100)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=100, by_epoch=True, milestones=[50, 70], gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=512)
