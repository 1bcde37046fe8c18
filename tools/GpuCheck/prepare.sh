#!/usr/bin/env bash
# Publishes the CUDA check self-contained for linux-x64 and splits it into parts that the device tool can carry
# one per call (at most 64 MiB a call). Run it on the developer machine, before the device machine starts.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
out="$root/artifacts/gpu-check"
rm -rf "$out"
mkdir -p "$out"
dotnet publish "$root/tools/GpuCheck/GradDiag.GpuCheck.csproj" -c Release -r linux-x64 --self-contained \
    -p:PublishTrimmed=false -o "$out/app"

# The check uses the CUDA provider only; the TensorRT provider library is not needed there.
rm -f "$out/app/libonnxruntime_providers_tensorrt.so"
tar -C "$out" -cf - app | xz -T0 -9 > "$out/gpu-check.tar.xz"
split -b 60m -d "$out/gpu-check.tar.xz" "$out/part-"
rm "$out/gpu-check.tar.xz"
ls -l "$out"/part-*
