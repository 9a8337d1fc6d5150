"""Training stage: leak-free grouped split, per-target CNNs, evaluation on the test split."""
