#!/usr/bin/env bash
# A coinfer sweep on a Slurm cluster: one shard per array task, then a merge.
#
#   scripts/slurm-sweep.sh SWEEP.ini OUT.sqlite [SHARDS]
#
# Run on the login node, it submits a job array of SHARDS tasks (default 8;
# extra sbatch options in $SBATCH_OPTIONS, e.g. "--time=2:00:00 -p short")
# and a merge job that starts once all of them succeeded. Task K (array
# index K - 1) runs
#   coinfer sweep SWEEP.ini --shard K/SHARDS --output OUT.shard-K.sqlite
# with as many workers as it has CPUs, and the merge job joins the shards
# into OUT.sqlite. Both are resumable: submit again after a failure and only
# missing runs are done. The coinfer binary is $COINFER, else
# build/app/coinfer of this checkout; tasks get its path explicitly.
set -euo pipefail

if [ $# -lt 2 ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
fi
sweep="$1"
out="$2"
shards="${3:-8}"
part="${out%.sqlite}.shard-"  # then K.sqlite

case "${COINFER_SLURM_STEP:-submit}" in
  task)
    k=$((SLURM_ARRAY_TASK_ID + 1))
    exec "$COINFER" sweep "$sweep" --shard "$k/$shards" --output "$part$k.sqlite" \
      -j "${SLURM_CPUS_PER_TASK:-1}"
    ;;
  merge)
    parts=()
    for k in $(seq 1 "$shards"); do
      if [ ! -f "$part$k.sqlite" ]; then
        echo "slurm-sweep: shard $k of $shards is missing ($part$k.sqlite)" >&2
        exit 1
      fi
      parts+=("$part$k.sqlite")
    done
    exec "$COINFER" merge "$out" "${parts[@]}"
    ;;
  submit) ;;
  *)
    echo "slurm-sweep: unknown COINFER_SLURM_STEP '$COINFER_SLURM_STEP'" >&2
    exit 2
    ;;
esac

# Slurm runs a copy of this script from its spool folder: the steps are
# told what to run rather than looking next to it.
coinfer="$(realpath "${COINFER:-$(dirname "$0")/../build/app/coinfer}")"
[ -x "$coinfer" ] || { echo "slurm-sweep: no coinfer binary at $coinfer" >&2; exit 1; }
sweep="$(realpath "$sweep")"
out="$(realpath -m "$out")"
# shellcheck disable=SC2086  # SBATCH_OPTIONS holds several options
array=$(sbatch --parsable ${SBATCH_OPTIONS:-} --job-name=coinfer-sweep \
  --array=0-$((shards - 1)) --export=ALL,COINFER="$coinfer",COINFER_SLURM_STEP=task \
  "$0" "$sweep" "$out" "$shards")
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTIONS:-} --job-name=coinfer-merge \
  --dependency=afterok:"${array%%;*}" --kill-on-invalid-dep=yes \
  --export=ALL,COINFER="$coinfer",COINFER_SLURM_STEP=merge "$0" "$sweep" "$out" "$shards")
echo "submitted job array ${array%%;*} ($shards shards) and merge job ${merge%%;*} into $out"
