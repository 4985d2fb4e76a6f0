"""Writes tests/data/gan_saved_on_<backend>.keras and the images it generates.

Run once per backend (`KERAS_BACKEND=torch python tests/data/make_cross_backend_fixtures.py`);
tests/models/test_saving.py then loads every fixture on every backend and checks
`generate(n, seed=0)` gives these images.
"""

import pathlib
import sys

import keras
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.helpers import digits, fit_kwargs, make_gan  # noqa: E402

x, y = digits(64)
gan = make_gan("nonsaturating", conditional=True, seed=5)
gan.compile()
gan.fit(x, y, **fit_kwargs())
backend = keras.backend.backend()
gan.save(HERE / f"gan_saved_on_{backend}.keras")
np.save(HERE / f"gan_saved_on_{backend}_images.npy", gan.generate(10, seed=0, labels=np.arange(10)))
print("wrote fixtures for", backend)
