# configs/baselines/integral-l1_res50_synthetic-freihand-256x256.py on its recommended
# recipe (ipr_res50_8xb64-210e_coco-256x256): _base_/schedules/adam-warmup_210e.py
# instead of the shared 120-epoch schedule; data, model and metrics unchanged.
_base_ = [
    '../../_base_/schedules/adam-warmup_210e.py',
    '../../_base_/datasets/synthetic_freihand.py',
    '../../_base_/models/integral-l1_res50.py',
]

# Same RegressionLabel codec as the method: only the model differs.
model = dict(head=dict(decoder=_base_.codec))
