"""Errors of the CLV sub-room."""

from memberops.kernel.errors import Conflict, NotFound


class NothingToFit(Conflict):
    """The tenant has no kept order up to the as-of day (or no repeat buyer, which the spend
    model needs): import or record orders first."""

    code = "clv.nothing_to_fit"
    title = "No purchases to fit the models on"


class NoFit(NotFound):
    """No model has been fitted in this unit yet: run ``memberops clv fit`` first."""

    code = "clv.no_fit"
    title = "No model fit yet"


class FitUnidentified(Conflict):
    """The purchases do not determine the models' parameters: fewer than 20 buyers, or (no
    sign of drop-out yet) a purchase model's search did not converge or ran to its bound.
    Nothing was stored; fit again when more history has arrived."""

    code = "clv.fit_unidentified"
    title = "The purchases do not determine the models"
