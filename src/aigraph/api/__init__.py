"""The HTTP service: ``create_app()`` builds the FastAPI application over an aigraph store.

Routes are thin; the SPARQL protocol, limits and writes live in :mod:`aigraph.sparql`.
Optional routers (``aigraph.api.network``, ``.reconcile``, ``.links``, ``.ui``, ``.entity``) are
included when their
modules exist.
"""

from __future__ import annotations

import importlib
import importlib.util
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .. import __version__
from ..analytics.cache import track
from ..analytics.runner import Runner
from ..config import Settings, get_settings
from ..sparql import SparqlService
from ..sparql.worker import load_extensions
from ..store import Store
from . import meta, openapi, problems, sparql
from . import store as store_routes

OPTIONAL_ROUTERS = ("network", "reconcile", "links", "ui", "entity")


def open_store(settings: Settings) -> Store:
    """The on-disk store of ``settings``, created and filled by ``Store.init()`` when empty."""
    store = Store(settings.store)
    if store.is_empty():
        store.init()
    return store


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or get_settings()
    store = store if store is not None else open_store(settings)
    load_extensions()  # SPARQL extension functions for in-process queries and descriptions
    track(store)  # in-process aigf: functions cache their analytics per store version
    svc = SparqlService(store, settings)

    heavy = Runner(store, write_lock=svc.write_lock)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        heavy.close()
        svc.close()

    app = FastAPI(
        title="aigraph",
        version=__version__,
        description="SPARQL 1.1 Protocol, Update and Graph Store over the aigraph knowledge "
        "graph of the European sovereign-AI ecosystem.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.sparql = svc
    app.state.heavy = heavy
    app.state.void_cache = {}
    problems.install(app)
    openapi.install(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type"],
        expose_headers=[sparql.TRUNCATED, sparql.ROW_LIMIT],
    )
    for router in (sparql.router, store_routes.router, meta.router):
        app.include_router(router)
    for name in OPTIONAL_ROUTERS:
        if importlib.util.find_spec(f"{__name__}.{name}") is not None:
            app.include_router(importlib.import_module(f"{__name__}.{name}").router)
    return app


__all__ = ["create_app", "open_store"]
