"""Running sitrep: health and metrics endpoints, logging, retention."""
