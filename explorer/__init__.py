"""NN Explorer: see and play with the mathematics of training a neural network."""

import os

# The matrices here are small: two BLAS threads on two shared cores fight each other and the GUI
# thread (the CNN forward pass measured 6 ms on one thread, 20-40 ms on two under load).
# setdefault: a user who asks for more threads still gets them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
