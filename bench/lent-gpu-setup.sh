# Sourced by the lent-GPU runners (run-lent-gpu.sh, train-throughput-gpu.sh): unpacks what
# bench/README.md says to carry onto a bare GPU machine without network: Debian's Vulkan and GL
# loaders from .gl/, Node as /opt/n/node and the `webgpu` package with its dawn.node from
# .carry/webgpu-bench/; points Vulkan at the NVIDIA driver's ICD; sets OUT (bench/out/remote
# when unset) and makes it.
OUT=${OUT:-bench/out/remote}; mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
B=.carry/webgpu-bench
mkdir -p /opt/n && xz -dc $B/node.xz > /opt/n/node && chmod +x /opt/n/node
mkdir -p node_modules/webgpu/dist/linux-x64 && cp $B/webgpu/index.js $B/webgpu/package.json node_modules/webgpu/
xz -dc $B/webgpu/dist/linux-x64/dawn.node.xz > node_modules/webgpu/dist/linux-x64/dawn.node
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $ICD ] && export VK_DRIVER_FILES=$ICD
