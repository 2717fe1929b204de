# Loss ablation (b): the paper's sequential integral model with every stage's
# MLE loss replaced by the Integral regression loss, L1 on the normalised
# soft-argmax coordinates (Sun et al.). The variance branch is not trained.
_base_ = ['./mlehand_res50.py']

model = dict(
    head=dict(
        loss=dict(_delete_=True, type='L1Loss', use_target_weight=True),
        loss_input='coords',
        loss_name='integral_l1'))

# No loss reaches the variance branches: DDP must be told, or it waits for
# their gradients and fails on the second iteration. (With an explicit
# model_wrapper_cfg, as on CPU, set model_wrapper_cfg.find_unused_parameters.)
find_unused_parameters = True
