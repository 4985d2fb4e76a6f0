"""Recipe for zoo/fashion_mnist_classifier: trains, measures and documents the classifier.

Run from the repository root (the Keras dataset cache must hold Fashion-MNIST, or the
machine must be online):

    KERAS_BACKEND=jax python zoo/fashion_mnist_classifier/train.py

Stages: `train` fits the classifier and writes `classifier.keras` and
`training_log.json`; `card` reloads `classifier.keras`, measures its test
accuracy and the real-data FID/KID floor, and regenerates `README.md` and
`preset.json` from those measured values. With no argument both run.
"""

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from keras_gans.metrics.classifier_recipe import run_recipe  # noqa: E402

if __name__ == "__main__":
    run_recipe("fashion_mnist", epochs=8, directory=HERE, stages=sys.argv[1:])
