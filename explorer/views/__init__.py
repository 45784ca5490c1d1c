"""What each panel shows, worked out from its state: pure numpy, no Qt.

One module per panel. Each holds the panel's state (a frozen dataclass whose default is the
homework's own example), the view worked out from it (what to draw, as numbers and texts), and
``compute(state, previous)``, which checks the state, asks :mod:`explorer.model` for everything,
and returns the view or raises ValueError (a :class:`~explorer.views.fields.FieldError` names the
field at fault). Nothing here draws: the panel moves its widgets to the view it is given.
"""
