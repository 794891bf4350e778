"""The explorer's API, one router per subject; each reads :class:`~embedlab.web.state.ExplorerState`."""

from __future__ import annotations

from . import analogy, complete, layouts, meta, neighbors, page

ROUTERS = (meta.router, neighbors.router, analogy.router, complete.router, layouts.router, page.router)

__all__ = ["ROUTERS"]
