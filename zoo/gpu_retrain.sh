#!/usr/bin/env bash
# Retrains every zoo preset from its recipe at once on one GPU (JAX), measures
# them with zoo/evaluate_presets.py, and runs benchmarks/stability_toolkit.py
# beside them. Packs the results into $OUT (at most 8 files).
#
# For a lent GPU machine with jax but no keras: the wheels of keras, namex and
# optree in .whl/, and the data files keras.datasets reads in .gpu_data/
# (mnist.npz and fashion-mnist/*.gz, as in ../shared/datasets), both carried.
# Every recipe also runs on CPU: `python zoo/train_preset.py NAME`.
set -uo pipefail
cd "$(dirname "$0")/.."
START=$SECONDS
OUT="${OUT:-$(mktemp -d /tmp/gpu_retrain.XXXXXX)}"
TRAIN_SECONDS="${TRAIN_SECONDS:-260}"
mkdir -p "$OUT" /tmp/logs
export PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3 XLA_PYTHON_CLIENT_PREALLOCATE=false KERAS_BACKEND=jax
log() { echo "[retrain +$((SECONDS - START))s] $*" | tee -a /tmp/logs/driver.txt; }
if ! timeout 60 python3 -c "import keras" 2>/dev/null; then
  timeout 90 python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || { log "wheel install failed"; exit 2; }
  export PYTHONPATH=/tmp/site
fi
export KERAS_HOME=/tmp/keras_home
mkdir -p $KERAS_HOME/datasets && cp -r .gpu_data/* $KERAS_HOME/datasets/
(timeout 20 nvidia-smi --query-gpu=name,memory.total --format=csv; python3 -c "import jax, keras; print(jax.devices(), keras.__version__)") > /tmp/logs/env.txt 2>&1
cat /tmp/logs/env.txt

PRESETS="${PRESETS:-$(ls zoo/*/recipe.json | xargs -n1 dirname | xargs -n1 basename | grep -v classifier)}"
log "training: $PRESETS"
# Recorded in each run.json: the presets (and the stability benchmark) share the GPU.
export KERAS_GANS_PRESETS_SHARING_DEVICE=$(echo $PRESETS | wc -w)
for p in $PRESETS; do
  rm -rf "zoo/$p/backup"
  timeout "$TRAIN_SECONDS" python3 zoo/train_preset.py "$p" > "/tmp/logs/train_$p.txt" 2>&1 &
done
KERAS_GANS_STEPS_PER_EXECUTION=8 timeout $((TRAIN_SECONDS + 120)) python3 benchmarks/stability_toolkit.py \
  --dataset mnist --epochs "${STABILITY_EPOCHS:-5}" --out /tmp/stability > /tmp/logs/stability.txt 2>&1 &
STAB=$!
wait $(jobs -p | grep -v "^$STAB$") 2>/dev/null
for p in $PRESETS; do log "$p: $(tail -c 300 /tmp/logs/train_$p.txt | tr '\n' ' ' | tail -c 200)"; done

log "registry and evaluation"
python3 -m keras_gans.presets.build_registry > /tmp/logs/registry.txt 2>&1 || log "registry failed"
TRAINED=$(for p in $PRESETS; do [ -f "zoo/$p/run.json" ] && [ "zoo/$p/run.json" -nt zoo/gpu_retrain.sh ] && echo "$p"; done)
# One evaluation process per dataset: they share that dataset's feature cache.
for ds in mnist fashion_mnist digits; do
  names=$(for p in $TRAINED; do grep -q "\"dataset\": \"$ds\"" "zoo/$p/recipe.json" && echo "$p"; done)
  [ -n "$names" ] && timeout 200 python3 zoo/evaluate_presets.py $names > "/tmp/logs/eval_$ds.txt" 2>&1 &
done
wait $(jobs -p | grep -v "^$STAB$") 2>/dev/null
wait $STAB
cp -r /tmp/stability /tmp/logs/ 2>/dev/null
log "packing"
cp keras_gans/presets/registry.json /tmp/logs/registry.json
tar czf "$OUT/logs.tgz" -C /tmp logs
# Weights split over several archives (16 MiB per file).
i=0
for p in $TRAINED; do
  tar rf "$OUT/zoo_$((i % 4)).tar" "zoo/$p"/{generator.keras,preset.json,README.md,evaluation.json,run.json,history.csv,samples.png} 2>/dev/null
  i=$((i + 1))
done
ls -la "$OUT"
log "done"
