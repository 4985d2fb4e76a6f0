"""One-off check (2026-11-30, this 2-core machine, load ~8): torch.compile of the
non-saturating GAN step (jit_compile=True) vs eager fit vs pure torch, base_filters=16,
batch 4, 16 steps x 3 round-robin repeats, ms/step sorted. Output: torch_compile_check.log.
Run: KERAS_BACKEND=torch OMP_NUM_THREADS=1 python benchmarks/results/anchor_speed_cpu/torch_compile_check.py 16 4
"""
import sys, time, numpy as np, keras, torch
torch.set_num_threads(1)
sys.path.insert(0, ".")
from benchmarks.anchor_speed import make_gan, fit_runner, loop_runner
from benchmarks.native_loops import build_models
from benchmarks.pure_native import make_pure_trainer
bf, batch, steps = int(sys.argv[1]), int(sys.argv[2]), 16
imgs = np.random.default_rng(0).uniform(-1,1,(steps*batch,28,28,1)).astype("float32")
G,D = build_models("non_saturating", 64, base_filters=bf)
gan,_ = make_gan("non_saturating", G, D, 5, False)
G2,D2 = build_models("non_saturating", 64, base_filters=bf)
import keras_gans
from benchmarks.native_loops import keras_adam
gc = keras_gans.NonSaturatingGAN(G2,D2,latent_dim=64,seed=0); gc.compile(generator_optimizer=keras_adam("non_saturating"), discriminator_optimizer=keras_adam("non_saturating"), jit_compile=True)
pure = make_pure_trainer("torch","non_saturating",base_filters=bf)
r = {"pure": loop_runner(pure, imgs, batch, steps), "fit": fit_runner(gan, imgs, batch, steps), "fit_compiled": fit_runner(gc, imgs, batch, steps)}
for name, run in r.items():
    t=time.perf_counter(); run(); print("warmup", name, time.perf_counter()-t, flush=True)
res={k:[] for k in r}
for rep in range(3):
    for name, run in r.items(): res[name].append(run()/steps*1e3)
print({k: sorted(v) for k,v in res.items()})
