"""Shard stage: per-model TFRecord shards of normalised images and listing facts, and their reader."""
