"""The ``ampy`` command line: one module per command group, one error handler (``app.main``)."""

__all__: list[str] = []  # commands register themselves on amplify_py.cli.app.app
