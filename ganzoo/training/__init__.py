"""Training: resolving a run's components, the training loop and its artefacts."""
