"""Custom ``scrapy`` commands of the project."""
