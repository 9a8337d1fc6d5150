"""The `sneaker` command line: one module per area, each exposing `register(app)`."""
