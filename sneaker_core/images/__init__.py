"""Image stage: download, normalise, quarantine and store product images (no TensorFlow here)."""
