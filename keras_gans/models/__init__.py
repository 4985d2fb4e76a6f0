from keras_gans.models.gan import GAN
from keras_gans.models.hinge_gan import HingeGAN
from keras_gans.models.least_squares_gan import LeastSquaresGAN
from keras_gans.models.minimax_gan import MinimaxGAN
from keras_gans.models.non_saturating_gan import NonSaturatingGAN
from keras_gans.models.wgan_gp import WGANGP

__all__ = ["GAN", "HingeGAN", "LeastSquaresGAN", "MinimaxGAN", "NonSaturatingGAN", "WGANGP"]
