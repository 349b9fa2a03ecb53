"""Storage: self-describing safetensors weights, atomic files and training checkpoints."""
