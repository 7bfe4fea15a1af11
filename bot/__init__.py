"""sitrep's platform-neutral core: config, models, ingestion, NLP, knowledge, digests, storage."""

__version__ = "0.1.0"
