"""Recipe for zoo/twemoji_classifier: trains, measures and documents the classifier.

Twemoji graphics by Twitter, Inc and other contributors, licensed under CC-BY 4.0.

Run from the repository root; the Keras datasets folder ($KERAS_HOME/datasets,
default ~/.keras/datasets) must hold emoji-datasource-twitter-16.0.0.tgz
(`npm pack emoji-datasource-twitter@16.0.0`):

    KERAS_BACKEND=tensorflow python zoo/twemoji_classifier/train.py

The classifier sees 32x32 images (64x64 ones are box-reduced to 32x32 by
the feature extractor), so one network serves the 32x32 and 64x64 presets.

Stages: `train` fits the classifier on the 3,415 train images and writes
`classifier.keras` and `training_log.json`; `card` reloads `classifier.keras`,
measures its held-out accuracy (371 images) and the real-data floor (FID, KID,
precision, recall; at 64x64 and 32x32), and regenerates `README.md`,
`preset.json` and `real_data_floor.json` from those measured values. With no
argument both run.
"""

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from keras_gans.metrics.classifier_recipe import run_recipe  # noqa: E402

if __name__ == "__main__":
    run_recipe("twemoji", epochs=30, directory=HERE, stages=sys.argv[1:])
