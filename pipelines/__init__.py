"""Cleaning pipelines and the store: pure rules plus thin Scrapy wrappers."""
