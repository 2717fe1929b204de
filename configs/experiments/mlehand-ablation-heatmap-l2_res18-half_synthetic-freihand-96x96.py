# Loss ablation (a) at the CPU size of tools/run_experiments.py: the method's
# model with every stage's MLE loss replaced by eq. 2's heatmap L2 loss between
# the stage's softmax likelihood and a Gaussian normalised to sum 1 (as
# configs/_base_/models/mlehand-ablation-heatmap-l2_res50.py, which explains the
# choices). Heatmaps 24x24, target sigma 1 heatmap px (as the CPU heatmap
# baseline); eq. 2's sum over keypoints and pixels: weight K * H * W.
_base_ = ['./mlehand_res18-half_synthetic-freihand-96x96.py']

heatmap_size = (24, 24)
target_codec = dict(
    type='IntegralRegressionLabel',
    input_size=_base_.input_size,
    heatmap_size=heatmap_size,
    sigma=1,
    normalize=True)
train_pipeline = _base_.train_transforms + [
    dict(type='GenerateTarget', encoder=target_codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(
    head=dict(
        loss=dict(
            _delete_=True,
            type='KeypointMSELoss',
            use_target_weight=True,
            loss_weight=21 * heatmap_size[0] * heatmap_size[1]),
        loss_input='heatmaps',
        loss_name='heatmap_l2'))
find_unused_parameters = True
