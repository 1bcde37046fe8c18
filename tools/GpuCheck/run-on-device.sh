#!/usr/bin/env bash
# Runs on the device machine after every part of artifacts/gpu-check has been copied to /tmp/gpu-check. It joins
# and unpacks the parts and points the loader at the CUDA 13 libraries of the machine's PyTorch wheels. Then it
# prints the GPU's name and runs the check, whose output also goes to $OUT/gpu-check.txt.
set -euo pipefail
parts=/tmp/gpu-check
cat "$parts"/part-* | xz -d | tar -C "$parts" -xf -
site=$(python3 -c "import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))")
libraries=$(ls -d "$site"/nvidia/*/lib | paste -sd: -)
export LD_LIBRARY_PATH="$libraries${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
report="${OUT:-/tmp}/gpu-check.txt"
{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || echo "nvidia-smi failed"
    "$parts/app/GradDiag.GpuCheck" "$parts/app/fixtures" 20
} 2>&1 | tee "$report"
