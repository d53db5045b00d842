#!/usr/bin/env bash
# A coinfer sweep on a Slurm cluster: one shard per array task, then a merge.
#
#   scripts/slurm-sweep.sh SWEEP.ini OUT.sqlite [SHARDS]
#
# Run on the login node, it submits a job array of SHARDS tasks (default 8;
# extra sbatch options in $SBATCH_OPTIONS, e.g. "--time=2:00:00 -p short")
# and a merge job that waits for all of them. Each task runs
#   coinfer sweep SWEEP.ini --shard K/SHARDS --output OUT.shard-K.sqlite
# (K = array index + 1) with as many workers as it has CPUs, and the merge
# job joins the shards into OUT.sqlite. Both steps are resumable: resubmit
# after a failure and only missing runs are done again. The coinfer binary
# is $COINFER, else build/app/coinfer of this checkout.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
sweep="$1"
out="$2"
shards="${3:-8}"
part="${out%.sqlite}.shard-"  # then K.sqlite
here="$(cd "$(dirname "$0")/.." && pwd)"
coinfer="${COINFER:-$here/build/app/coinfer}"

if [ "${COINFER_SLURM_STEP:-}" = merge ]; then
  shopt -s nullglob
  parts=("$part"*.sqlite)
  if [ ${#parts[@]} -eq 0 ]; then
    echo "slurm-sweep: no shard databases ${part}*.sqlite" >&2
    exit 1
  fi
  exec "$coinfer" merge "$out" "${parts[@]}"
fi

if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
  count="${SLURM_ARRAY_TASK_COUNT:?SLURM_ARRAY_TASK_COUNT is not set}"
  k=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0} + 1))
  exec "$coinfer" sweep "$sweep" --shard "$k/$count" --output "$part$k.sqlite" \
    -j "${SLURM_CPUS_PER_TASK:-1}"
fi

# Slurm runs a copy of this script from its spool folder: the tasks must
# not look for coinfer next to it.
export COINFER="$coinfer"
# shellcheck disable=SC2086  # SBATCH_OPTIONS holds several options
array=$(sbatch --parsable ${SBATCH_OPTIONS:-} --job-name=coinfer-sweep \
  --array=0-$((shards - 1)) "$0" "$sweep" "$out" "$shards")
# shellcheck disable=SC2086
sbatch --parsable ${SBATCH_OPTIONS:-} --job-name=coinfer-merge \
  --dependency=afterok:"${array%%;*}" --export=ALL,COINFER_SLURM_STEP=merge \
  "$0" "$sweep" "$out" "$shards"
echo "submitted array $array ($shards shards) and its merge into $out"
