"""voc: voice-of-customer analytics for Japanese contact centers."""

__version__ = "0.1.0"
