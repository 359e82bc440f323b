"""Czech full-text search over the catalogue: one analysis, two engines behind one interface, one index."""
