"""Pure-numpy model layer: every number the explorer shows is computed here.

This package never imports Qt, pyqtgraph or anything in ``explorer`` outside ``explorer.model``.
"""
