import copy

import numpy as np
import pytest
import torch
from mmpose.models.utils.tta import flip_coordinates
from mmpose.registry import MODELS
from mmpose.testing import get_packed_inputs

from mmpose_mlehand.hand_format import NUM_KEYPOINTS as K
from mmpose_mlehand.models.heads import soft_argmax


def build_head(in_channels=64, num_stages=3, input_size=(256, 256), **kwargs):
    cfg = dict(type='SequentialIntegralHead', in_channels=in_channels, num_keypoints=K,
               num_stages=num_stages, fuse_channels=32, deconv_channels=(32, 32, 32),
               sigma_hidden_channels=32,
               decoder=dict(type='RegressionLabel', input_size=input_size))
    cfg.update(kwargs)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def packed(batch_size=2, input_size=(256, 256), **kwargs):
    w, h = input_size
    return get_packed_inputs(batch_size, num_keypoints=K, img_shape=(h, w), input_size=(w, h),
                             heatmap_size=(w // 4, h // 4), with_simcc_label=False, **kwargs)


def test_one_hot_heatmap_gives_that_pixel():
    logits = torch.full((1, 2, 64, 64), -1e4)
    logits[0, 0, 10, 37] = 0.  # row 10, column 37
    logits[0, 1, 63, 0] = 0.
    coords, likelihoods = soft_argmax(logits)
    torch.testing.assert_close(coords[0], torch.tensor([[37 / 64, 10 / 64], [0., 63 / 64]]))
    torch.testing.assert_close(likelihoods.sum(dim=(2, 3)), torch.ones(1, 2))
    # In input pixels (stride 4 for a 256 input): column 37 -> x = 148.
    head = build_head()
    keypoints = head.decode(torch.cat([coords, torch.zeros_like(coords)], -1)[:, None])
    np.testing.assert_allclose(keypoints[0].keypoints[0], [[148., 40.], [0., 252.]], atol=1e-4)


def test_integral_regression_has_gradients():
    logits = torch.randn(2, 3, 16, 16, requires_grad=True)
    coords, _ = soft_argmax(logits)
    coords.sum().backward()
    assert logits.grad.abs().sum() > 0
    # Moving mass to the right raises x: a positive gradient at the rightmost column.
    assert (logits.grad[..., -1].mean() > 0) and (logits.grad[..., 0].mean() < 0)


@pytest.mark.parametrize('input_size,feat_size,heatmap_size',
                         [((256, 256), 8, 64), ((224, 224), 7, 56)])
def test_sizes_follow_the_input(input_size, feat_size, heatmap_size):
    head = build_head(input_size=input_size)
    out = head.forward((torch.randn(2, 64, feat_size, feat_size), ))
    assert out['likelihoods'].shape == (2, 3, K, heatmap_size, heatmap_size)
    assert out['coords'].shape == (2, 3, K, 2) and out['raw_sigmas'].shape == (2, 3, K, 2)


def test_next_stage_sees_likelihoods_not_logits():
    """A constant shift of stage-1 logits changes nothing downstream."""
    head = build_head(num_stages=2).eval()
    feats = torch.randn(1, 64, 8, 8)
    logits = 3 * torch.randn(1, K, 64, 64)  # stands for stage 1's output
    _, likelihoods = soft_argmax(logits)
    _, shifted = soft_argmax(logits + 7.5)
    out_a = head.stages[1](feats, likelihoods)
    out_b = head.stages[1](feats, shifted)
    torch.testing.assert_close(out_a[0], out_b[0])
    # ...while the stage does depend on where the mass is.
    out_c = head.stages[1](feats, likelihoods.flip(-1))
    assert (out_a[0] - out_c[0]).abs().max() > 1e-2 * out_a[0].abs().max()


def test_loss_keys_and_gradients_reach_every_stage_and_flow():
    head = build_head(num_stages=3)
    data = packed()
    feats = (torch.randn(2, 64, 8, 8), )
    losses = head.loss(feats, data['data_samples'])
    assert sorted(k for k in losses if k.startswith('loss')) == [
        'loss_mle_s0', 'loss_mle_s1', 'loss_mle_s2']
    assert all(torch.isfinite(losses[k]) for k in losses)
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    for t, stage in enumerate(head.stages):
        for name, p in stage.named_parameters():
            assert p.grad is not None and p.grad.abs().sum() > 0, f'stage {t}: {name}'
    for t, loss_module in enumerate(head.loss_modules):
        grads = [p.grad for p in loss_module.flow.parameters()]
        assert all(g is not None for g in grads) and sum(g.abs().sum() for g in grads) > 0, t


def test_batched_stage_losses_equal_one_module_call_per_stage():
    """The head runs its T MLELoss flows as one batched computation; each stage's
    loss and every gradient equal calling that stage's module on its own."""
    torch.manual_seed(0)
    head = build_head(num_stages=3)
    data = packed()
    feats = torch.randn(2, 64, 8, 8)
    losses = head.loss((feats, ), data['data_samples'])
    batched = torch.stack([losses[f'loss_mle_s{t}'] for t in range(3)])
    batched.sum().backward()
    batched_grads = {n: p.grad.clone() for n, p in head.named_parameters()}
    head.zero_grad()

    out = head.forward((feats, ))
    samples = data['data_samples']
    labels = torch.cat([d.gt_instance_labels.keypoint_labels for d in samples])
    weights = torch.cat([d.gt_instance_labels.keypoint_weights for d in samples])
    looped = torch.stack([m(out['coords'][:, t], out['raw_sigmas'][:, t], labels, weights)
                          for t, m in enumerate(head.loss_modules)])
    looped.sum().backward()
    torch.testing.assert_close(batched, looped, rtol=1e-5, atol=1e-5)
    for name, p in head.named_parameters():
        torch.testing.assert_close(batched_grads[name], p.grad, rtol=1e-5, atol=1e-6,
                                   msg=name)


def test_stage_one_loss_trains_only_stage_one_but_later_losses_train_earlier_stages():
    head = build_head(num_stages=2)
    data = packed()
    losses = head.loss((torch.randn(2, 64, 8, 8), ), data['data_samples'])
    losses['loss_mle_s1'].backward()
    # Stage 2's loss reaches stage 1 through the likelihood heatmaps.
    assert head.stages[0].heatmap_branch[0].weight.grad.abs().sum() > 0


def test_flows_are_distinct_and_keep_their_init():
    head = MODELS.build(dict(type='SequentialIntegralHead', in_channels=64, num_stages=5,
                             decoder=dict(type='RegressionLabel', input_size=(256, 256))))
    flows = [m.flow for m in head.loss_modules]
    assert len({id(f) for f in flows}) == 5
    params = [torch.cat([p.flatten() for p in f.parameters()]) for f in flows]
    for i in range(5):
        for j in range(i + 1, 5):
            assert not torch.equal(params[i], params[j])
            assert params[i].data_ptr() != params[j].data_ptr()
    before = copy.deepcopy([f.state_dict() for f in flows])
    head.init_weights()
    for flow, state in zip(flows, before):
        for key, value in flow.state_dict().items():
            assert torch.equal(value, state[key]), key


def test_layer_type_init_cfg_is_refused():
    with pytest.raises(ValueError, match='RealNVP'):
        build_head(init_cfg=dict(type='Normal', layer=['Linear'], std=0.01))


def test_flip_test_averages_both_passes_and_leaves_outputs_unmodified():
    head = build_head(num_stages=2).eval()
    data = packed(batch_size=2)
    samples = data['data_samples']
    flip_indices = samples[0].metainfo['flip_indices']
    feats, feats_flip = (torch.randn(2, 64, 8, 8), ), (torch.randn(2, 64, 8, 8), )
    with torch.no_grad():
        known, known_flip = head.forward(feats), head.forward(feats_flip)

    outputs = {id(feats): copy.deepcopy(known), id(feats_flip): copy.deepcopy(known_flip)}
    head.forward = lambda f: outputs[id(f)]
    for shift in (True, False):
        with torch.no_grad():
            preds = head.predict([feats, feats_flip], samples,
                                 dict(flip_test=True, shift_coords=shift, output_stages=True))
        # Mirror in x by hand: x' = 1 - x (- 1 / width), keypoint order by flip_indices.
        mirrored = known_flip['coords'][:, -1, flip_indices].clone()
        mirrored[..., 0] = 1.0 - mirrored[..., 0] - (1.0 / 256 if shift else 0.0)
        expected = (known['coords'][:, -1] + mirrored) / 2 * 256
        reference = (known['coords'][:, -1] + flip_coordinates(
            known_flip['coords'][:, -1].clone(), flip_indices, shift, (256, 256))) / 2 * 256
        sigma = (known['raw_sigmas'][:, -1].sigmoid() +
                 known_flip['raw_sigmas'][:, -1, flip_indices].sigmoid()) / 2 + 1e-4
        for b, pred in enumerate(preds):
            np.testing.assert_allclose(pred.keypoints[0], expected[b].numpy(), atol=1e-4)
            np.testing.assert_allclose(pred.keypoints[0], reference[b].numpy(), atol=1e-4)
            np.testing.assert_allclose(pred.keypoint_scores[0], 1 - sigma[b].mean(-1).numpy(),
                                       atol=1e-5)
            np.testing.assert_allclose(pred.keypoint_sigmas[0], sigma[b].numpy(), atol=1e-6)
            # Stages are in image pixels: the last one is the final keypoints mapped
            # with the sample's crop as MMPose maps them.
            meta = samples[b].metainfo
            image = (expected[b].numpy() / 256 * meta['input_scale'].reshape(2) +
                     meta['input_center'].reshape(2) - 0.5 * meta['input_scale'].reshape(2))
            np.testing.assert_allclose(pred.stage_keypoints[0, -1], image, atol=1e-3)
        # The network outputs are untouched.
        for key in known:
            assert torch.equal(outputs[id(feats)][key], known[key])
            assert torch.equal(outputs[id(feats_flip)][key], known_flip[key])


def test_predict_without_flip_scores_heatmaps_and_stages():
    head = build_head(num_stages=3, input_size=(224, 224)).eval()
    data = packed(batch_size=3, input_size=(224, 224))
    feats = (torch.randn(3, 64, 7, 7), )
    with torch.no_grad():
        out = head.forward(feats)
        preds, fields = head.predict(feats, data['data_samples'],
                                     dict(output_heatmaps=True, output_stages=True))
    assert len(preds) == 3 and len(fields) == 3
    for b, (pred, field) in enumerate(zip(preds, fields)):
        assert pred.keypoints.shape == (1, K, 2) and pred.keypoint_scores.shape == (1, K)
        np.testing.assert_allclose(pred.keypoints[0], out['coords'][b, -1].numpy() * 224,
                                   atol=1e-4)
        # Every stage in image pixels: crop / input size * scale + centre - scale / 2.
        meta = data['data_samples'][b].metainfo
        scale, centre = meta['input_scale'].reshape(2), meta['input_center'].reshape(2)
        np.testing.assert_allclose(
            pred.stage_keypoints[0], out['coords'][b].numpy() * scale + centre - scale / 2,
            atol=1e-3)
        sigma = out['raw_sigmas'][b, -1].sigmoid() + 1e-4
        np.testing.assert_allclose(pred.keypoint_scores[0], (1 - sigma).mean(-1).numpy(),
                                   atol=1e-5)
        np.testing.assert_allclose(pred.keypoint_sigmas[0], sigma.numpy(), atol=1e-6)
        assert field.heatmaps.shape == (K, 56, 56)
        torch.testing.assert_close(field.heatmaps, out['likelihoods'][b, -1])


def test_ablation_loss_inputs():
    data = packed()
    feats = (torch.randn(2, 64, 8, 8), )
    l1 = build_head(num_stages=2, loss=dict(type='L1Loss', use_target_weight=True),
                    loss_input='coords', loss_name='l1')
    losses = l1.loss(feats, data['data_samples'])
    assert {'loss_l1_s0', 'loss_l1_s1'} <= set(losses)
    samples = data['data_samples']
    labels = torch.cat([d.gt_instance_labels.keypoint_labels for d in samples])
    coords = l1.forward(feats)['coords']
    torch.testing.assert_close(losses['loss_l1_s0'], (coords[:, 0] - labels).abs().mean())

    l2 = build_head(num_stages=2, loss=dict(type='KeypointMSELoss', use_target_weight=True),
                    loss_input='heatmaps', loss_name='hm')
    losses = l2.loss(feats, samples)
    assert torch.isfinite(losses['loss_hm_s0']) and torch.isfinite(losses['loss_hm_s1'])

    with pytest.raises(ValueError, match='loss_input'):
        build_head(loss_input='sigmas')
