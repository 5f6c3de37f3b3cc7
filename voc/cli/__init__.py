"""The ``voc`` command: thin wrappers over the library."""
