"""SubPixelConvTranspose3d equals nn.ConvTranspose3d (values and gradients), parameters
included, so the SAP's release weights load and give the same masks."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mmfine.models.layers import SubPixelConvTranspose3d, subpixel_conv_transpose3d


@pytest.mark.parametrize('shape,stride,padding', [
    ((2, 3, 2, 2, 2), (4, 16, 16), (2, 8, 8)),  # SAP's mixed_4f tap
    ((2, 3, 4, 5, 3), (2, 4, 4), (1, 2, 2)),  # non-square input
    ((1, 2, 3, 3, 3), (3, 1, 2), (1, 0, 2)),  # odd strides, padding 0 and = stride
    ((1, 1, 1, 1, 1), (2, 2, 2), (0, 0, 0)),  # a single input position
])
def test_equals_the_native_transposed_convolution(shape, stride, padding):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)
    C, O = shape[1], 5
    w = torch.randn(C, O, *[2 * s for s in stride], generator=g, dtype=torch.float64,
                    requires_grad=True)
    ref = F.conv_transpose3d(x, w, stride=stride, padding=padding)
    out = subpixel_conv_transpose3d(x, w, stride, padding)
    assert out.shape == ref.shape
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    grad = torch.randn(ref.shape, generator=g, dtype=torch.float64)
    ref_g = torch.autograd.grad(ref, (x, w), grad)
    out_g = torch.autograd.grad(out, (x, w), grad)
    for a, b in zip(out_g, ref_g):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_module_has_the_native_parameters_and_loads_its_state_dict():
    native = nn.ConvTranspose3d(4, 6, (4, 8, 8), (2, 4, 4), (1, 2, 2), bias=True)
    ours = SubPixelConvTranspose3d(4, 6, (2, 4, 4), (1, 2, 2), bias=True)
    assert ours.weight.shape == native.weight.shape and ours.bias.shape == native.bias.shape
    ours.load_state_dict(native.state_dict(), strict=True)
    x = torch.randn(2, 4, 3, 4, 5)
    torch.testing.assert_close(ours(x), native(x), rtol=1e-5, atol=1e-5)


def test_rejects_a_kernel_that_is_not_twice_the_stride():
    with pytest.raises(ValueError, match='twice the stride'):
        subpixel_conv_transpose3d(torch.zeros(1, 1, 2, 2, 2), torch.zeros(1, 1, 3, 4, 4),
                                  (2, 2, 2), (1, 1, 1))
    with pytest.raises(ValueError, match='padding'):
        SubPixelConvTranspose3d(1, 1, 2, padding=3)
