#!/usr/bin/env bash
# One prepared GPU run of benchmarks/anchor_speed.py for JAX and PyTorch:
# NonSaturatingGAN and WGANGP at batch 64 and 256, every column (pure
# framework, Keras-layer loop, fit with defaults, fit with the recommended
# settings, train_step in a hand loop) and the supervised reference.
#
# On the lent H200 (jax + torch with CUDA, no keras/tensorflow), from the
# repository root, with the wheels of keras, namex and optree in .whl/
# (see benchmarks/README.md) named in `carry`:
#     bash benchmarks/gpu_speed.sh
# Here, end to end on the CPU in under two minutes (figures meaningless):
#     bash benchmarks/gpu_speed.sh --quick
#
# Budget: under 4 minutes wall-clock in all. Every step has a `timeout`;
# each backend process is killed at its limit and keeps what it measured.
# Writes into $OUT (default: a new temporary folder): anchor_speed.json,
# anchor_speed.md, env.txt, log.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
START=$SECONDS
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
OUT="${OUT:-$(mktemp -d /tmp/gpu_speed.XXXXXX)}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3 XLA_PYTHON_CLIENT_PREALLOCATE=false
PY=python3
log() { echo "[gpu_speed +$((SECONDS - START))s] $*" | tee -a "$OUT/log.txt"; }

# The device has no TensorFlow: Keras must not import its default backend.
export KERAS_BACKEND=jax
if ! timeout 60 $PY -c "import keras" 2>/dev/null; then
  log "installing keras, namex, optree from .whl/"
  ls .whl/*.whl >/dev/null 2>&1 || { log "no keras and no .whl/ folder: see benchmarks/README.md"; exit 2; }
  timeout 90 $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || { log "wheel install failed"; exit 2; }
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi

{
  date -u
  timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv 2>&1 || echo "no nvidia-smi"
  # Versions without importing the frameworks (each worker records its device).
  timeout 30 $PY -c "import sys; from importlib import metadata as m
print('python', sys.version.split()[0])
for n in ('keras', 'jax', 'jaxlib', 'torch', 'numpy', 'optree', 'namex'):
    try: print(n, m.version(n))
    except m.PackageNotFoundError: print(n, 'absent')"
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt" | tee -a "$OUT/log.txt"

if [ "$QUICK" = 1 ]; then
  # CPU smoke run: the non-saturating GAN only, tiny; no time budget to keep.
  COMMON=(--quick --threads 1 --losses non_saturating)
  JAX_ARGS=(--backend-timeout 400 --warmup-limit 300)
  TORCH_ARGS=(--backend-timeout 400 --warmup-limit 300)
  TOTAL=450
else
  COMMON=(--batch-sizes 64,256 --losses non_saturating,wgan_gp --base-filters 16 --threads 0)
  # JAX: 16 steps = two executions of the recommended steps_per_execution=8.
  # Hard limits: 100 s + 120 s + set-up < 4 min. Configurations run in the
  # order NS b64, WGAN-GP b64, NS b256, WGAN-GP b256, supervised; past the
  # soft --time-limit the rest is skipped and listed.
  JAX_ARGS=(--steps 16 --repeats 5 --backend-timeout 100 --time-limit 75 --warmup-limit 40)
  TORCH_ARGS=(--steps 8 --repeats 4 --backend-timeout 120 --time-limit 90 --warmup-limit 60)
  TOTAL=130
fi

run_backend() {  # backend, extra args...
  local backend=$1; shift
  log "$backend: start"
  timeout "$TOTAL" $PY benchmarks/anchor_speed.py --backends "$backend" "${COMMON[@]}" "$@" \
    --out-dir "$OUT/$backend" 2>&1 | tee -a "$OUT/log.txt" | grep -v "^|" || true
  log "$backend: done"
}
# BACKENDS="torch" re-runs one backend alone.
for b in ${BACKENDS:-jax torch}; do
  if [ "$b" = jax ]; then run_backend jax "${JAX_ARGS[@]}"; else run_backend torch "${TORCH_ARGS[@]}"; fi
done

# One JSON and one table for both backends.
timeout 60 $PY benchmarks/anchor_speed.py --merge "$OUT" 2>&1 | tee -a "$OUT/log.txt"
log "total $((SECONDS - START)) s; results in $OUT"
