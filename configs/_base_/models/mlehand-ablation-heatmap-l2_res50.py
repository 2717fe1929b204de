# Loss ablation (a): the paper's sequential integral model with every stage's
# MLE loss replaced by the heatmap L2 loss of eq. 2, f = sum_k sum_p
# (H_k(p) - H_g,k(p))^2 (leaf configs put the IntegralRegressionLabel codec,
# normalised Gaussian targets, in the train pipeline and keep RegressionLabel
# as the decoder). The variance branch is not trained.
#
# As close to eq. 2 as the integral model allows:
# - H is the stage's softmax-normalised likelihood (eq. 1's normalised heatmap,
#   what soft-argmax decodes and the next stage sees) and H_g a Gaussian
#   (sigma 2 heatmap px) normalised the same way, to sum 1. Eq. 2 on the raw
#   logits against peak-1 Gaussians would leave the decoded coordinates without
#   any supervision (the softmax ignores a per-map constant and the logits'
#   scale).
# - Eq. 2 sums over keypoints and pixels; KeypointMSELoss averages over them,
#   so the weight is K * H * W (21 keypoints, 64x64 heatmaps of a 256x256
#   input: change it with the heatmap size). The loss is averaged over the
#   batch. Under Adam a constant factor only matters through eps; the earlier
#   weight 4*pi*sigma^2*H*W (2.06e5, a uniform likelihood's loss ~1 per stage)
#   is 2.4x this one. tools/run_experiments.py measures both and the peak-1
#   target (model keys mlehand-ablation-heatmap-l2-{unitloss,peak1}).
_base_ = ['./mlehand_res50.py']

model = dict(
    head=dict(
        loss=dict(
            _delete_=True,
            type='KeypointMSELoss',
            use_target_weight=True,
            loss_weight=21 * 64 * 64),
        loss_input='heatmaps',
        loss_name='heatmap_l2'))

# No loss reaches the variance branches: DDP must be told, or it waits for
# their gradients and fails on the second iteration. (With an explicit
# model_wrapper_cfg, as on CPU, set model_wrapper_cfg.find_unused_parameters.)
find_unused_parameters = True
