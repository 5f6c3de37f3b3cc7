"""Finding words in what was said: KWIC (keyword in context) over stored transcripts."""
