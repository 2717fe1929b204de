# MMPose's 210-epoch recipe (td-hm_res50_8xb64-210e_rhd2d-256x256,
# ipr_res50_8xb64-210e_coco-256x256, td-reg_res50_rle-8xb64-210e_coco-256x192 with
# lr 1e-3, td-hm_cpm_8xb64-210e_coco-256x192), a baseline's "recommended
# configuration" (paper section IV-C): Adam 5e-4 with a 500-iteration linear
# warm-up from 0.001 x lr, 210 epochs, lr x0.1 after epochs 170 and 200, for a
# total batch of 512 (--auto-scale-lr rescales the lr for another one).
# Everything else (runtime, validation, model selection, checkpoints) is the
# shared schedule's.
_base_ = ['./adam_120e.py']

train_cfg = dict(max_epochs=210)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=210, by_epoch=True, milestones=[170, 200],
         gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=512)
