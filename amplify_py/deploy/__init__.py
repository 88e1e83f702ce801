"""Deployment: synthesize the project's backend (``synth``), deploy targets come later."""
