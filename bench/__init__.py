"""Benchmarks of the order system: cold starts, throughput on the local cloud and its moto floor (``make bench``)."""
