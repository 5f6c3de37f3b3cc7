"""APPI: audio retention and erasure of a customer's data."""
