"""The ``ampy`` command line: one module per command group, one error handler (``app.main``)."""
