"""The processing pipeline: jobs whose state lives in the database, run by workers."""
