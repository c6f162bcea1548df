"""Scrapy project for Arrow Research author-cluster pages."""
