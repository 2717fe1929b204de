# mlehand_res50_freihand.py tested on FreiHAND's official evaluation set (3,960
# images, boxes from the keypoint extent x 1.2), which tools/convert_freihand.py
# writes when evaluation_xyz.json is present; training and model selection as in
# the base. `mim test mmpose configs/mlehand_res50_freihand-eval.py --checkpoint X`
_base_ = ['./mlehand_res50_freihand.py']
test_dataloader = dict(dataset=dict(ann_file=_base_.eval_ann_file))
