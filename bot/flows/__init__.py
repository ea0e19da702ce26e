"""One module per thing a person does, each declaring a Router (see router.py).

`registry.py` lists them all and installs them; this package imports nothing, so
a flow importing its siblings never runs into a half-imported package.
"""
