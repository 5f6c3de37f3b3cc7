"""Storage: engine, tables and migrations.

Who commits (one rule for the whole library):

- Whoever opens a ``Session`` owns its transaction and commits it: an entry point (an API request through
  ``api.deps.get_session``, a CLI command, a worker loop, a background duty), or a library function that
  takes an ``Engine`` because it is one unit of work by itself (``voc.pipeline.reaper.reap``,
  ``voc.webhooks.delivery.deliver_due``, ``voc.redaction.rerun.rerun_redaction`` …).
- A function handed a ``Session`` adds, updates and flushes (ids are then known), and never commits, so
  the caller can put several steps and its audit entry in one transaction, or roll all of them back.
- Named exceptions, each saying "commits" in its docstring: the lease operations of the two shared work
  queues, ``voc.pipeline.jobs`` (calls) and ``voc.webhooks.delivery.claim_due`` (webhook deliveries),
  because a claim must be visible to every other worker when the function returns and must survive the
  caller's rollback of a failed stage; and ``voc.services.uploads.add_recording``, which commits each file
  on its own so that one bad file does not undo the others.
"""
