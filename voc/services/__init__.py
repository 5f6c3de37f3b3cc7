"""Operations offered by both the CLI and the API, written once so that the two cannot differ.

Each takes a Session (the entry point owns the transaction and commits), checks what the caller may do,
raises the typed errors of ``voc.errors``, and writes the audit entry; the entry points only translate
arguments and results. Two commit themselves, as their docstrings say: adding a recording
(``uploads.add_recording``: each file on its own, and its stored audio is removed again unless a call
holds it) and retrying a call (``retry.retry_call``: the requeue is a work-queue claim,
``voc.pipeline.jobs``).
"""
