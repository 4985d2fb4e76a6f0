"""keras-gans: GANs for Keras 3 on TensorFlow, PyTorch and JAX."""

# First: the backend package quiets TensorFlow's import-time log lines
# (keras_gans/backend/tensorflow_logs.py) before anything imports Keras.
from keras_gans import backend  # noqa: I001

from keras_gans import (
    architectures,
    augment,
    callbacks,
    cluster_conditioning,
    data,
    distributed,
    ema,
    evaluation,
    losses,
    metrics,
    recipes,
    regularizers,
    runs,
    top_k,
)
from keras_gans.cluster_conditioning import ClusterConditioning, SelfConditioning
from keras_gans.models import GAN, WGANGP, HingeGAN, LeastSquaresGAN, MinimaxGAN, NonSaturatingGAN
from keras_gans.presets import PretrainedGenerator, from_preset, list_presets, save_preset
from keras_gans.sampling import generate_images, sample_latents
from keras_gans.top_k import TopK
from keras_gans.visualization import image_grid

__version__ = "0.1.0"
