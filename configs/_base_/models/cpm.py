# Convolutional Pose Machines (Wei et al., CVPR 2016): MMPose's CPM backbone
# (6 stages, heatmaps at stride 8) with intermediate supervision of every
# stage; the head only applies the losses. MMPose's
# td-hm_cpm_8xb64-210e_coco-256x192 recipe with 21 keypoints. Trained from
# scratch (no ImageNet weights exist for it). Leaf configs set the codec
# (MSRAHeatmap, heatmap = input / 8, sigma 2).
_base_ = ['./topdown.py']

model = dict(
    backbone=dict(
        type='CPM',
        in_channels=3,
        out_channels=21,
        feat_channels=128,
        num_stages=6),
    head=dict(
        type='CPMHead',
        in_channels=21,
        out_channels=21,
        num_stages=6,
        deconv_out_channels=None,
        final_layer=None,
        loss=dict(type='KeypointMSELoss', use_target_weight=True)),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))
