"""Deploying a backend: synthesis, the local and AWS targets, and the records they leave."""
