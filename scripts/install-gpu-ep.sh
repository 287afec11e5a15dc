#!/usr/bin/env bash
# Install onnxruntime-node's CUDA 12 and TensorRT execution providers on a GPU machine.
#
# Why a separate step: the default `npm ci` skips onnxruntime-node's install script (package.json `allowScripts`
# denies it on npm 11+; older npm needs ONNXRUNTIME_NODE_INSTALL=skip), because that script downloads libonnxruntime_providers_{cuda,shared,tensorrt}.so
# from the NuGet feed, which is not reachable everywhere. On a GPU machine with internet access, run this once
# after `npm ci`: it re-runs onnxruntime-node's own install script with the cuda12 flag.
#
# Needs (checked first; nothing is downloaded while one is missing, unless --force):
#   - Linux x64
#   - an NVIDIA driver: `nvidia-smi` on PATH and able to list a GPU
#   - CUDA 12 runtime libraries: libcudart.so.12, libcublas.so.12, libcublasLt.so.12, libcurand.so.10, libcufft.so.11
#   - cuDNN 9: libcudnn.so.9
#   - for the tensorrt provider only: TensorRT 10 (libnvinfer.so.10, libnvinfer_plugin.so.10, libnvonnxparser.so.10)
# Libraries are looked up in $LD_LIBRARY_PATH and in the loader cache (`ldconfig -p`).
# Afterwards `npx joulebench devices` says per provider whether a session can be created, and if not the missing library.
#
# Usage: scripts/install-gpu-ep.sh [--check-only] [--tensorrt] [--force]
#   --check-only  report what is there and what is missing; install nothing (exit 0: all there, 1: something missing)
#   --tensorrt    treat missing TensorRT libraries as missing prerequisites (default: a note; cuda can still work)
#   --force       download even when prerequisites are missing (e.g. CUDA is installed later)
# Exit codes: 0 ok, 1 prerequisites missing (or the installer failed), 2 usage or wrong platform.
set -euo pipefail

check_only=false
need_tensorrt=false
force=false
for arg in "$@"; do
  case "$arg" in
    --check-only | --check) check_only=true ;;
    --tensorrt) need_tensorrt=true ;;
    --force) force=true ;;
    -h | --help)
      sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install-gpu-ep: unknown argument '$arg' (expected --check-only, --tensorrt, --force)" >&2
      exit 2
      ;;
  esac
done

cd "$(dirname "$0")/.."

platform="$(uname -s)-$(uname -m)"
if [ "$platform" != "Linux-x86_64" ]; then
  echo "install-gpu-ep: the CUDA/TensorRT providers of onnxruntime-node exist for Linux x64 only (this is $platform)." >&2
  exit 2
fi
ort_dir=node_modules/onnxruntime-node
if [ ! -f "$ort_dir/script/install.js" ]; then
  echo "install-gpu-ep: $ort_dir/script/install.js not found: run 'npm ci' first." >&2
  exit 2
fi

# Is a shared library loadable: in a folder of LD_LIBRARY_PATH, or in the loader cache?
have_lib() {
  local lib="$1" dir
  local IFS=:
  for dir in ${LD_LIBRARY_PATH:-}; do
    if [ -n "$dir" ] && [ -e "$dir/$lib" ]; then return 0; fi
  done
  if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q -F "$lib "; then return 0; fi
  return 1
}

missing=()
echo "prerequisites of onnxruntime-node's CUDA 12 / TensorRT providers:"
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "  missing: nvidia-smi (install the NVIDIA driver)"
  missing+=("NVIDIA driver (nvidia-smi)")
elif ! gpu="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1)" || [ -z "$gpu" ]; then
  echo "  missing: a working NVIDIA driver (nvidia-smi failed: ${gpu:-no GPU listed})"
  missing+=("working NVIDIA driver")
else
  echo "  found: driver — $(printf '%s\n' "$gpu" | head -n 1)"
fi
for lib in libcudart.so.12 libcublas.so.12 libcublasLt.so.12 libcurand.so.10 libcufft.so.11 libcudnn.so.9; do
  if have_lib "$lib"; then
    echo "  found: $lib"
  else
    case "$lib" in
      libcudnn*) what="cuDNN 9" ;;
      *) what="CUDA 12 runtime" ;;
    esac
    echo "  missing: $lib ($what; install it or add its folder to LD_LIBRARY_PATH)"
    missing+=("$lib")
  fi
done
for lib in libnvinfer.so.10 libnvinfer_plugin.so.10 libnvonnxparser.so.10; do
  if have_lib "$lib"; then
    echo "  found: $lib (TensorRT)"
  elif $need_tensorrt; then
    echo "  missing: $lib (TensorRT 10)"
    missing+=("$lib")
  else
    echo "  note: $lib not found: the tensorrt provider will not load (cuda still can)"
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "missing ${#missing[@]}: ${missing[*]}"
fi
if $check_only; then
  [ "${#missing[@]}" -eq 0 ] && echo "all prerequisites found."
  [ "${#missing[@]}" -eq 0 ]
  exit
fi
if [ "${#missing[@]}" -gt 0 ] && ! $force; then
  echo "install-gpu-ep: not downloading anything while prerequisites are missing (see above); install them, or re-run with --force." >&2
  exit 1
fi

# onnxruntime-node's own installer, told to fetch the CUDA 12 manifest (it also holds the TensorRT provider).
echo "installing onnxruntime-node's CUDA 12 / TensorRT providers into $ort_dir/bin …"
if ! (cd "$ort_dir" && ONNXRUNTIME_NODE_INSTALL=cuda12 node ./script/install.js --onnxruntime-node-install=cuda12); then
  echo "install-gpu-ep: onnxruntime-node's install script failed (it downloads from the NuGet feed: is it reachable?)." >&2
  exit 1
fi
bin_dir="$ort_dir/bin/napi-v6/linux/x64"
for lib in libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so libonnxruntime_providers_tensorrt.so; do
  if [ -e "$bin_dir/$lib" ]; then echo "  installed: $bin_dir/$lib"; else echo "  not installed: $bin_dir/$lib" >&2; fi
done
echo "done. Now: npx joulebench devices"
