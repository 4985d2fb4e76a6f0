"""torch.distributed (2 gloo processes) on PyTorch equals one process.

Each process fits `keras_gans.distributed.shard_for_this_process` at half
the global batch; gradients (the WGAN-GP double backward included) and logged
losses are averaged over processes in keras_gans.backend.gradients.
"""

import pytest

from distributed_checks import check_equivalence, run_equivalence, skip_unless_backend

pytestmark = skip_unless_backend("torch")


@pytest.fixture(scope="module")
def report():
    return run_equivalence("torch")


@pytest.mark.parametrize("loss, discriminator_steps", [("ns", 1), ("ns_toolkit", 1), ("wgan_gp", 2)])
def test_two_processes_equal_one_process(report, loss, discriminator_steps):
    comparison = report[loss]["torch"]
    config = report["config"]
    assert comparison["distributed"]["shard_rows"] == config["steps"] * config["global_batch"] // 2
    check_equivalence(comparison, config, discriminator_steps)


@pytest.mark.parametrize("loss", ["ns", "ns_toolkit", "wgan_gp"])
def test_processes_hold_identical_weights_after_every_step(report, loss):
    config = report["config"]
    spreads = report[loss]["torch"]["distributed"]["rank_weight_spread"]
    assert len(spreads) == config["steps"] * config["epochs"]
    assert max(spreads) == 0.0, spreads


@pytest.mark.parametrize("loss", ["ns", "ns_toolkit", "wgan_gp"])
def test_broadcast_weights_gives_every_rank_rank0_state(report, loss):
    # Ranks built from different seeds; after broadcast_weights they agree
    # (and the run then equals one process built from rank 0's seeds).
    distributed = report[loss]["torch"]["distributed"]
    assert distributed["rank_spread_before_broadcast"] > 1e-3
    assert distributed["rank_spread_after_broadcast"] == 0.0


def test_process_info_and_primary_process(report):
    # (rank, world_size, is_primary_process()) as each rank reported it.
    assert report["process_info_by_rank"] == [[0, 2, 1], [1, 2, 0]]
    # Every rank ran the same code; only the primary one wrote the report.
    assert report["files_written_by_workers"] == ["report.json"]
