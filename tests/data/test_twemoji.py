"""The Twemoji loader on the real npm tarball (Twemoji graphics by Twitter, Inc and
other contributors, licensed under CC-BY 4.0).

The issue expected "3,786 images and 10 categories"; ../shared/datasets/SOURCES.md
says "9 categories with images". The data has all 10 categories of emoji.json with
images: the tenth, "Component", holds only the 5 skin-tone swatches (1f3fb..1f3ff),
which is likely why it was not counted. The counts below are read from the file.
"""

import hashlib
import os

import numpy as np
import pytest

from keras_gans.data import load_dataset
from keras_gans.data.twemoji import TWEMOJI_CATEGORIES, TWEMOJI_FILE, downsample, load_twemoji, twemoji_path

COUNTS = {
    "Smileys & Emotion": 169, "People & Body": 2261, "Component": 5, "Animals & Nature": 159,
    "Food & Drink": 131, "Travel & Places": 218, "Activities": 85, "Objects": 264, "Symbols": 224,
    "Flags": 270,
}

needs_file = pytest.mark.skipif(
    not os.path.isfile(twemoji_path()),
    reason=f"{TWEMOJI_FILE} is not in the Keras datasets folder ({os.path.dirname(twemoji_path())}); "
    "tests/conftest.py links it from ../shared/datasets/twemoji/ (or $KERAS_GANS_SHARED_DATASETS/twemoji/)",
)


@needs_file
def test_twemoji_has_3786_images_in_10_categories_and_a_fixed_held_out_split():
    images, labels, names = load_twemoji("all", return_names=True)
    assert images.shape == (3786, 64, 64, 3) and images.dtype == np.uint8
    assert labels.dtype == np.int32 and len(set(names)) == 3786
    assert dict(zip(TWEMOJI_CATEGORIES, np.bincount(labels, minlength=10).tolist())) == COUNTS
    component = TWEMOJI_CATEGORIES.index("Component")
    assert sorted(n for n, y in zip(names, labels) if y == component) == [f"1f3f{c}.png" for c in "bcdef"]
    train, train_labels, train_names = load_twemoji("train", return_names=True)
    test, test_labels, test_names = load_twemoji("test", return_names=True)
    assert (len(train), len(test)) == (3415, 371)
    assert sorted(train_names + test_names) == sorted(names)
    # No held-out emoji has a skin-tone variation in train: "1f44b-1f3fb.png" -> "1f44b".
    skin_tones = ("-1f3fb", "-1f3fc", "-1f3fd", "-1f3fe", "-1f3ff")

    def base(name):
        for tone in skin_tones:
            name = name.replace(tone, "")
        return name

    assert not {base(n) for n in test_names if n not in {f"1f3f{c}.png" for c in "bcdef"}} & {
        base(n) for n in train_names if any(t in n for t in skin_tones)}
    np.testing.assert_array_equal(load_dataset("twemoji", "test", image_size=64)[0], test)
    np.testing.assert_array_equal(load_dataset("twemoji", "test")[1], test_labels)


@needs_file
def test_twemoji_is_on_white_and_32_is_the_box_mean_of_64():
    images, _, names = load_twemoji("all", return_names=True)
    smile = images[names.index("1f600.png")]  # grinning face: a yellow disc on a transparent square
    assert (smile[0, 0] == 255).all() and (smile[-1, -1] == 255).all()
    assert smile[32, 32].tolist() != [255, 255, 255]
    small, labels = load_dataset("twemoji", "all", image_size=32)
    assert small.shape == (3786, 32, 32, 3) and small.dtype == np.uint8
    block = images[:, :2, :2].astype(int).sum(axis=(1, 2))
    np.testing.assert_array_equal(small[:, 0, 0], (block + 2) // 4)
    np.testing.assert_array_equal(small[:100], downsample(images[:100], 2))
    with pytest.raises(ValueError, match="64, 32, 16, 8"):
        load_dataset("twemoji", image_size=48)
    with pytest.raises(ValueError, match="one image size"):
        load_dataset("digits", image_size=32)


def test_absent_or_wrong_file_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"npm pack emoji-datasource-twitter@16\.0\.0") as error:
        load_twemoji()
    assert str(tmp_path / "datasets") in str(error.value)
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / TWEMOJI_FILE).write_bytes(b"not the tarball")
    with pytest.raises(ValueError, match=hashlib.sha256(b"not the tarball").hexdigest()):
        load_twemoji()
