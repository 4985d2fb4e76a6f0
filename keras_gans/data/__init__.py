from keras_gans.data.datasets import DATASETS, load_dataset
from keras_gans.data.seeded_batches import SeededBatches
from keras_gans.data.transforms import scale_images

__all__ = ["DATASETS", "SeededBatches", "load_dataset", "scale_images"]
