# The FreiHAND config rle_res50_freihand-256x256.py, tested on FreiHAND's
# official evaluation set (3,960 images, boxes from the keypoint extent x 1.2;
# converted when evaluation_xyz.json is present); training and model selection
# as in the base.
_base_ = ['./rle_res50_freihand-256x256.py']
test_dataloader = dict(dataset=dict(ann_file=_base_.eval_ann_file))
