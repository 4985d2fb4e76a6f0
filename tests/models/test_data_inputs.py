"""`fit` accepts NumPy, tf.data, torch DataLoader and keras PyDataset on every backend."""

import keras
import numpy as np
import pytest

from tests.helpers import digits, make_gan


class DigitsSequence(keras.utils.PyDataset):
    def __init__(self, images, labels, batch_size):
        super().__init__()
        self.images, self.labels, self.batch_size = images, labels, batch_size

    def __len__(self):
        return len(self.images) // self.batch_size

    def __getitem__(self, index):
        s = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.images[s], self.labels[s]


def make_tf_dataset(images, labels):
    tf = pytest.importorskip("tensorflow")
    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(32)


def make_torch_loader(images, labels):
    torch = pytest.importorskip("torch")
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    return torch.utils.data.DataLoader(dataset, batch_size=32)


@pytest.mark.parametrize("source", ["pydataset", "tf_data", "torch_loader"])
def test_conditional_fit_on_each_data_source(source):
    images, labels = digits(64)
    data = {
        "pydataset": lambda: DigitsSequence(images, labels, 32),
        "tf_data": lambda: make_tf_dataset(images, labels),
        "torch_loader": lambda: make_torch_loader(images, labels),
    }[source]()
    gan = make_gan("nonsaturating", conditional=True)
    gan.compile()
    history = gan.fit(data, epochs=1, verbose=0)
    assert int(gan.generator_optimizer.iterations) == 2
    assert np.isfinite(history.history["g_loss"][0])


def test_bad_first_batch_of_a_dataset_is_reported():
    images, labels = digits(64)
    gan = make_gan("nonsaturating", conditional=True)
    gan.compile()
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        gan.fit(DigitsSequence((images + 1) * 127.5, labels, 32), epochs=1, verbose=0)
