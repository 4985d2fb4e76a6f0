from keras_gans.data.datasets import DATASETS, load_dataset
from keras_gans.data.seeded_batches import SeededBatches
from keras_gans.data.transforms import scale_images, to_model_range, to_unit_range
from keras_gans.data.twemoji import TWEMOJI_CREDIT, load_twemoji

__all__ = [
    "DATASETS", "SeededBatches", "TWEMOJI_CREDIT", "load_dataset", "load_twemoji", "scale_images",
    "to_model_range", "to_unit_range",
]
