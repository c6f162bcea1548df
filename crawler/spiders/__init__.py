"""Spiders: they route pages to parsers and yield one item per page; they never parse."""
