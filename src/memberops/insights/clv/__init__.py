"""Predicted customer value: the BG/NBD and Pareto/NBD purchase models and the Gamma-Gamma
spend model, fitted by maximum likelihood (numpy/scipy), and the per-member predictions they
give (P(alive), expected purchases, expected spend per order, discounted CLV).

Publishes nothing and subscribes to nothing: a fit and its predictions are a snapshot as of
the fit's ``as_of``, replaced whole by the next ``memberops clv fit`` or recompute.
"""
