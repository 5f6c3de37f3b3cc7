"""The HTTP API and web UI: a thin layer over the voc library."""
