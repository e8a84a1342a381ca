"""patron: customer analytics over the header-only C++ library.

One submodule per capability (``patron.transactions``, ``patron.rfm``, ``patron.kmeans``,
``patron.tree``, ``patron.discriminant``, ``patron.churn``, ``patron.clv``, ``patron.leads``,
``patron.abtest``); see docs/python.md. Invalid input raises :class:`InvalidInput`, a
``ValueError`` carrying the C++ message (argument, first bad index and value).
"""
import sys as _sys

from . import _patron
from ._patron import InvalidInput, NumericalError, __version__

_CAPABILITIES = ("transactions", "rfm", "kmeans", "tree", "discriminant", "churn", "clv",
                 "leads", "abtest")
for _name in _CAPABILITIES:
    # Submodules of an extension are attributes only; registering them makes
    # `import patron.kmeans` and `from patron.kmeans import fit` work too.
    _module = getattr(_patron, _name)
    _sys.modules[__name__ + "." + _name] = _module
    globals()[_name] = _module

__all__ = ["InvalidInput", "NumericalError", "__version__", *_CAPABILITIES]
