"""The explorer's API, one router per subject; each reads :class:`~embedlab.web.state.ExplorerState`."""

from __future__ import annotations

from . import analogy, complete, explore, layouts, meta, neighbors, page, upload

# Routes are matched in this order on every request: the busiest first.
ROUTERS = (neighbors.router, complete.router, analogy.router, meta.router, layouts.router,
           explore.router, upload.router, page.router)

__all__ = ["ROUTERS"]
