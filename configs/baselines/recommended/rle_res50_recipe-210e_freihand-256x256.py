# configs/baselines/rle_res50_freihand-256x256.py on its recommended recipe
# (td-reg_res50_rle-8xb64-210e_coco-256x192, lr 1e-3):
# _base_/schedules/adam-warmup_210e.py instead of the shared 120-epoch schedule; data,
# model and metrics unchanged.
_base_ = [
    '../../_base_/schedules/adam-warmup_210e.py',
    '../../_base_/datasets/freihand.py',
    '../../_base_/models/rle_res50.py',
]

# Same RegressionLabel codec as the method: only the model differs.
model = dict(head=dict(decoder=_base_.codec))

# The RLE recipe trains at lr 1e-3.
optim_wrapper = dict(optimizer=dict(lr=1e-3))
