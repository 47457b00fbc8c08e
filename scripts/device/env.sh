# Sourced by the scripts in scripts/device on the GPU machine, from the repository root:
# the libraries carried in .device/ on the loader's path, the NVIDIA ICD, and the output
# folder. Sets `dev` (.device) and `out` ($OUT, else out/).
dev=$PWD/.device
export LD_LIBRARY_PATH=$dev${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# The NVIDIA ICD needs glvnd (libGLdispatch/libGLX), which the device image lacks: carry
# them in .device/gl (Debian libglvnd0 + libglx0).
if [ -d "$dev/gl" ]; then export LD_LIBRARY_PATH=$dev/gl:$LD_LIBRARY_PATH; fi
# Without this the loader picks a stale ICD file ("Could not get 'vkCreateInstance'").
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -e "$nvidia_icd" ]; then
    export VK_ICD_FILENAMES=$nvidia_icd
fi
out=${OUT:-$PWD/out}
mkdir -p "$out"
