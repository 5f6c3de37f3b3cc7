"""Topics of customer utterances: TF-IDF → NMF model, c-TF-IDF labels, names across refits, trends and
cross-tabs, co-occurrence network, benchmark. Documents come in already tokenized (``voc.nlp``)."""
