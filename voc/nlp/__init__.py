"""Japanese text analysis: fugashi + unidic-lite tokenizer, negation, constructions, vocabulary, sentiment.

Import the concrete modules (``voc.nlp.tokenizer`` …); this package imports nothing heavy.
"""
