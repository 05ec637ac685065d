"""Studies: where the law (policy, metrics) meets the economics (models) in runnable scenarios."""
