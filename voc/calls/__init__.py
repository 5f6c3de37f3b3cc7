"""Calls: registering uploads, linking them to customers, reading them back."""
