"""NN Explorer: see and play with the mathematics of training a neural network."""

__version__ = "0.1.0"
