"""The Python back end: the IR compiled to Python source (compiler), the reference interpreter, and the runtime helpers both use."""
