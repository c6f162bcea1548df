"""For ``scrapyd-deploy``, which builds the project's egg with ``python setup.py bdist_egg``.

Everything about the package (metadata, packages, package data, the ``scrapy`` settings
entry point Scrapyd looks for) is declared in pyproject.toml; this only hands it to
setuptools.
"""

from setuptools import setup

setup()
