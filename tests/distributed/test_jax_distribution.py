"""keras.distribution on JAX: DataParallel and ModelParallel equal one device.

Two host devices are forced with XLA_FLAGS in a fresh interpreter.
"""

import pytest

from distributed_checks import check_equivalence, run_equivalence, skip_unless_backend

pytestmark = skip_unless_backend("jax")


@pytest.fixture(scope="module")
def report():
    return run_equivalence("jax")


@pytest.mark.parametrize("loss, discriminator_steps", [("ns", 1), ("ns_toolkit", 1), ("wgan_gp", 2)])
def test_data_parallel_equals_one_device(report, loss, discriminator_steps):
    comparison = report[loss]["jax-data"]
    # Every variable lives on both devices (replicated); Keras shards the batch.
    assert comparison["distributed"]["min_devices_per_variable"] == 2
    check_equivalence(comparison, report["config"], discriminator_steps)


@pytest.mark.parametrize("loss, discriminator_steps", [("ns", 1), ("ns_toolkit", 1), ("wgan_gp", 2)])
def test_model_parallel_equals_one_device(report, loss, discriminator_steps):
    comparison = report[loss]["jax-model"]
    sharded = comparison["distributed"]["sharded_variables"]
    # The LayoutMap split the hidden Dense layers of G and D over the 2 devices.
    assert sorted(sharded) == sorted(
        [f"hidden_dense_{i}/{w}" for i in (0, 1) for w in ("kernel", "bias")] * 2
    )
    check_equivalence(comparison, report["config"], discriminator_steps)
