"""Sample-quality metrics: FID, KID, precision/recall, density/coverage (as functions and objects) and feature networks."""

from keras_gans.metrics.classifier import FEATURE_LAYER, build_feature_classifier
from keras_gans.metrics.density_coverage import density_coverage
from keras_gans.metrics.feature_extractors import (
    ClassifierFeatureExtractor,
    FeatureExtractor,
    InceptionFeatureExtractor,
    build_inception_feature_model,
    load_feature_classifier,
    validate_images,
)
from keras_gans.metrics.frechet_distance import (
    feature_statistics,
    frechet_distance,
    frechet_distance_from_features,
)
from keras_gans.metrics.kernel_inception_distance import (
    kernel_inception_distance,
    mmd2_unbiased,
    polynomial_kernel,
)
from keras_gans.metrics.precision_recall import knn_radii, precision_recall
from keras_gans.metrics.sample_metrics import FID, KID, DensityCoverage, PrecisionRecall, SampleMetric

__all__ = [
    "FEATURE_LAYER",
    "FID",
    "KID",
    "DensityCoverage",
    "PrecisionRecall",
    "SampleMetric",
    "ClassifierFeatureExtractor",
    "FeatureExtractor",
    "InceptionFeatureExtractor",
    "build_feature_classifier",
    "build_inception_feature_model",
    "density_coverage",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_from_features",
    "kernel_inception_distance",
    "knn_radii",
    "load_feature_classifier",
    "mmd2_unbiased",
    "polynomial_kernel",
    "precision_recall",
    "validate_images",
]
