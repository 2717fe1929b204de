import torch
from mmpose.registry import MODELS
from mmpose.testing import get_packed_inputs


def test_channels_last_preprocessor_gives_the_same_values_in_nhwc_memory():
    cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], bgr_to_rgb=True)
    plain = MODELS.build(dict(type='PoseDataPreprocessor', **cfg))
    nhwc = MODELS.build(dict(type='ChannelsLastPoseDataPreprocessor', **cfg))
    data = get_packed_inputs(2, num_keypoints=21, img_shape=(32, 48), input_size=(48, 32),
                             with_simcc_label=False)
    expected = plain(data, training=True)['inputs']
    got = nhwc(data, training=True)['inputs']
    assert got.is_contiguous(memory_format=torch.channels_last)
    assert not expected.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(got, expected)
    # A ResNet keeps the layout: the convolutions stay on oneDNN's NHWC path.
    backbone = MODELS.build(dict(type='ResNet', depth=18, out_indices=(3, )))
    backbone.eval()  # MMPose's ResNet.train() returns None
    with torch.no_grad():
        out = backbone(got)[0]
    assert out.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(out, backbone(expected)[0].detach(), rtol=1e-4, atol=1e-4)
