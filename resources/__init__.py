"""The files NN Explorer reads at run time, installed as the package ``explorer.resources``.

pyproject.toml maps this folder into the package, so a wheel, an editable install and a zipped
install all find the files with ``importlib.resources``; read them through ``explorer.assets``.
This file makes the folder a regular package: a namespace package cannot be read from a zip.
"""
