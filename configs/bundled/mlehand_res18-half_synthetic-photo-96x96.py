# The recipe of the small bundled hand model, `mlehand-synthetic-hand-small`
# (tools/train_bundled_model.py --model mlehand-synthetic-hand-small), and the
# base of the default one (twice the width): the paper's method at the quick
# start's CPU size (half-width ResNet-18 cut after its third stage, T=5
# SequentialIntegralHead, MLELoss, 96x96) trained on synthetic hands of the
# `photo` scene style only (upright in-plane prior, photographic backgrounds, a
# person beside the hand, skin texture, camera effects;
# tools/make_synthetic_hands.py --style photo), cropped by the hand boxes and
# scored by the paper's hand-box metrics as in configs/experiments/. The tool
# selects the checkpoint on the validation split of the held-out appearance
# family (--family heldout: backgrounds, skin tones, lights and camera effects
# that training never sees).
_base_ = ['../experiments/mlehand_res18-half_synthetic-freihand-96x96.py']

# Real photographs show left hands too: a horizontal flip turns a right hand into
# a left one (hand keypoints have no left/right pairs, so nothing is swapped).
# The data's in-plane angles are already spread around upright (sigma 25 deg,
# 10% uniform); a little extra rotation (N(0, 15 deg) on half the samples) and a
# wider scale range cover boxes drawn by hand or from a detector.
train_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=_base_.bbox_padding),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_factor=0.1, rotate_factor=15, rotate_prob=0.5,
         scale_factor=(0.75, 1.35)),
    dict(type='TopdownAffine', input_size=_base_.input_size),
]
train_pipeline = train_transforms + [
    dict(type='GenerateTarget', encoder=_base_.codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# At test time a hand that the first prediction finds turned 45 degrees or more
# from upright (wrist to middle knuckle) is predicted again on its crop turned
# upright, and the more confident of the two is kept (training is unchanged).
# Chosen by a rule written before measuring it: hard val frame-PCK 0.720 ->
# 0.775 (default model) and 0.560 -> 0.610 (small), held-out val within 0.005
# (docs/bundled_models.md, "An upright second pass for turned hands").
model = dict(type='UprightTopdownPoseEstimator', test_cfg=dict(upright=dict(min_turn_deg=45.)))

# More updates than the quick start: the photo style is harder to learn.
# Keypoint scores at inference are 1 - mean(sigma_x, sigma_y) of the last stage
# (SequentialIntegralHead.predict), which MMPose's inferencer and demos show.
# 16,000 training images (tools/train_bundled_model.py) x 6 epochs at batch 8 =
# 12,000 updates, about 25 min on 2 CPU cores.
train_cfg = dict(max_epochs=6)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=100, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=6, T_max=6, eta_min=1e-5, by_epoch=True,
         convert_to_iter_based=True)
]
