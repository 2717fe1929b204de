# Loss ablation (a): the paper's sequential integral model with every stage's
# MLE loss replaced by the heatmap L2 loss, i.e. MSE between the stage's
# softmax-normalised likelihood and the normalised Gaussian target of the
# IntegralRegressionLabel codec (leaf configs put that codec in the train
# pipeline and keep RegressionLabel as the decoder). The variance branch is
# not trained.
_base_ = ['./mlehand_res50.py']

model = dict(
    head=dict(
        # Both maps sum to 1, so each pixel is ~1/(H*W) and the plain MSE is
        # tiny: for a uniform map (no information) it is sum(g^2)/(H*W) =
        # 1/(4*pi*sigma^2*H*W) = 4.9e-6 for sigma 2 on 64x64. The weight
        # 4*pi*sigma^2*H*W = 2.06e5 puts that at ~1 per stage, comparable with
        # the other losses, and keeps Adam's gradients far above its eps.
        loss=dict(
            _delete_=True,
            type='KeypointMSELoss',
            use_target_weight=True,
            loss_weight=2e5),
        loss_input='heatmaps',
        loss_name='heatmap_l2'))

# No loss reaches the variance branches: DDP must be told, or it waits for
# their gradients and fails on the second iteration. (With an explicit
# model_wrapper_cfg, as on CPU, set model_wrapper_cfg.find_unused_parameters.)
find_unused_parameters = True
