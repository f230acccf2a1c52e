"""The browser app, as Mesa's examples lay it out: ``solara run app.py``.

``ceasefire app`` serves the same page from the installed package
(``simulator.outputs.app``); this file lets ``solara run app.py`` work from a checkout.
"""

from simulator.outputs.app import AppModel, page

__all__ = ["AppModel", "page"]
