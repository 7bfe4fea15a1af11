"""Fetching over HTTP: the polite fetcher, its keep-alive transport, bounded decoding, the SSRF guard."""
