# The small bundled recipe (mlehand_res18-half_synthetic-photo-96x96.py) with
# colour augmentation, to learn hands by shape rather than by skin colour
# (issue 22): MMPose's PhotometricDistortion (brightness +-32, contrast and
# saturation x0.5-1.5, hue +-18 i.e. +-36 degrees, and a random order of the
# colour channels, each half of the time) and mmcv's RandomGrayscale on a fifth
# of the crops, after the affine crop (cheaper at 96x96). Why: the bundled hand
# detector, trained with a mild HSV jitter only, found hands mostly by colour
# (docs/bundled_models.md); the pose recipes had no colour augmentation at
# all, and real cameras and rooms move skin colour further than the synthetic
# lights. Everything else is the base recipe's.
_base_ = ['./mlehand_res18-half_synthetic-photo-96x96.py']

colour_transforms = [
    dict(type='PhotometricDistortion', brightness_delta=32, contrast_range=(0.5, 1.5),
         saturation_range=(0.5, 1.5), hue_delta=18),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True),
]
train_transforms = _base_.train_transforms + colour_transforms
train_pipeline = train_transforms + _base_.train_pipeline[len(_base_.train_transforms):]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
