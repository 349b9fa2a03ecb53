"""The square image sizes the built-in convolutional architectures make."""

from __future__ import annotations

from ganzoo.image_sizes import ImageSizes

DCGAN_SIZES = ImageSizes(bases=(4, 7), min_doublings=2)
"""G starts from 4×4 or 7×7 maps and doubles at least twice: 16, 28, 32, 56, 64, …"""

RESNET_SIZES = ImageSizes.only(32)
"""G starts from 4×4 maps and three up-sampling blocks make 32×32."""
