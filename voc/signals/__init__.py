"""Call-level signals and customer-level flags.

Stages (each idempotent: running it again replaces its results):
``voc.signals.analyze.analyze_call`` (a call's customer segments → ``call_signals``), then
``voc.signals.flags.recompute_customer`` (the customer's flags, with history). Read back with
``voc.signals.store`` (per call, lists), ``voc.signals.at_risk`` and ``voc.signals.backtest``.
The rule baseline is ``voc.signals.rules``; the classifiers trained on analysts' feedback are
``voc.signals.classifier`` and ``voc.signals.training``.
"""
