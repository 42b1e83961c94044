"""Back ends that run the checked IR: ``python`` (compiler, reference interpreter, runtime helpers)."""
