"""Importers: one module per source format, each turning a source file into quads written
through :meth:`aigraph.store.Store.write` (validated and atomic)."""
