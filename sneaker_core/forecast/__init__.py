"""Price forecasting: weekly series from sales or snapshots, lag features, baselines and a gradient-boosted
quantile model, blended per horizon by a rolling-origin backtest, size curves for thin product-size series."""
