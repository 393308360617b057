"""Exports to learning-management systems, every one derived from key.json."""
