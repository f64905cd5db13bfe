"""Constructs that build one repeated concern each; stacks compose them."""
