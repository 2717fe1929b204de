# Loss ablation (b) at the CPU size of tools/run_experiments.py: the method's
# model with every stage's MLE loss replaced by L1 on the soft-argmax
# coordinates (as configs/_base_/models/mlehand-ablation-integral-l1_res50.py).
_base_ = ['./mlehand_res18-half_synthetic-freihand-96x96.py']

model = dict(
    head=dict(
        loss=dict(_delete_=True, type='L1Loss', use_target_weight=True),
        loss_input='coords',
        loss_name='integral_l1'))
find_unused_parameters = True
