"""Built-in backend "jax" (placeholder while it is being written)."""
