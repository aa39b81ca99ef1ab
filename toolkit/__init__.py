"""localise: content localisation for medical articles.

The engine behind the `localise` command line. Nothing in this package prints, exits or imports
click: every function takes data and returns data, and errors are exceptions from
:mod:`toolkit.errors` that carry the file (and line) they are about.
"""

__version__ = "0.1.0"
