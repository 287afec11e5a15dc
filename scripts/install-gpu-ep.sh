#!/usr/bin/env bash
# Install onnxruntime-node's CUDA 12 and TensorRT execution providers on a GPU machine.
#
# Why a separate step: the default `npm ci` skips onnxruntime-node's install script (.npmrc:
# onnxruntime-node-install=skip), because that script downloads libonnxruntime_providers_{cuda,shared,tensorrt}.so
# from the NuGet feed, which is not reachable everywhere. On a GPU machine with internet access, run this once
# after `npm ci`.
#
# Needs: Linux x64, an NVIDIA driver (nvidia-smi works), CUDA 12.x runtime libraries and cuDNN 9 on the
# library path (for TensorRT also TensorRT 10 libraries: libnvinfer.so.10). Check afterwards with
#   npx joulebench devices
# which says per provider whether a session can be created, and if not the missing library.
#
# Usage: scripts/install-gpu-ep.sh [--check]
#   --check   only report what is missing, install nothing
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=false
[ "${1:-}" = "--check" ] && check_only=true

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "install-gpu-ep: the CUDA/TensorRT providers of onnxruntime-node exist for Linux x64 only (this is $(uname -s)-$(uname -m))." >&2
  exit 2
fi
ort_dir=node_modules/onnxruntime-node
if [ ! -d "$ort_dir" ]; then
  echo "install-gpu-ep: $ort_dir not found: run 'npm ci' first." >&2
  exit 2
fi

missing=0
if command -v nvidia-smi >/dev/null 2>&1; then
  echo "driver: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -n 1)"
else
  echo "missing: nvidia-smi (install the NVIDIA driver)"; missing=1
fi
for lib in libcudart.so.12 libcublas.so.12 libcudnn.so.9; do
  if ldconfig -p 2>/dev/null | grep -q "$lib"; then echo "found: $lib"; else echo "missing: $lib (CUDA 12 / cuDNN 9 runtime; or add its folder to LD_LIBRARY_PATH)"; missing=1; fi
done
if ldconfig -p 2>/dev/null | grep -q libnvinfer.so.10; then echo "found: libnvinfer.so.10 (TensorRT)"; else echo "note: libnvinfer.so.10 not found: the tensorrt provider will not load (cuda still can)"; fi

if $check_only; then
  exit "$missing"
fi

# onnxruntime-node's own installer, told to fetch the CUDA 12 manifest (it also holds the TensorRT provider).
echo "installing onnxruntime-node CUDA 12 / TensorRT providers into $ort_dir/bin …"
(cd "$ort_dir" && ONNXRUNTIME_NODE_INSTALL=cuda12 node ./script/install.js)
ls -l "$ort_dir"/bin/napi-v6/linux/x64/
echo "done. Now: npx joulebench devices"
[ "$missing" -eq 0 ] || echo "warning: some runtime libraries were reported missing above; sessions on cuda/tensorrt will fail until they are installed." >&2
