"""keras-gans: GANs for Keras 3 on TensorFlow, PyTorch and JAX."""

from keras_gans import (
    architectures,
    augment,
    callbacks,
    data,
    distributed,
    ema,
    evaluation,
    losses,
    metrics,
    recipes,
    regularizers,
    runs,
)
from keras_gans.models import GAN, WGANGP, HingeGAN, LeastSquaresGAN, MinimaxGAN, NonSaturatingGAN
from keras_gans.presets import PretrainedGenerator, from_preset, list_presets, save_preset
from keras_gans.sampling import generate_images, sample_latents
from keras_gans.visualization import image_grid

__version__ = "0.1.0"
