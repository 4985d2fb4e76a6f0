"""tf.distribute.MirroredStrategy on TensorFlow equals one device.

The CPU is split into 2 logical devices in a fresh interpreter.
"""

import pytest

from distributed_checks import check_equivalence, run_equivalence, skip_unless_backend

pytestmark = skip_unless_backend("tensorflow")


@pytest.fixture(scope="module")
def report():
    return run_equivalence("tensorflow")


@pytest.mark.parametrize("loss, discriminator_steps", [("ns", 1), ("ns_toolkit", 1), ("wgan_gp", 2)])
def test_mirrored_strategy_equals_one_device(report, loss, discriminator_steps):
    check_equivalence(report[loss]["tf-mirrored"], report["config"], discriminator_steps)
