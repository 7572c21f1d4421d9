"""The sweeps' figures (URL patterns covered, payloads × pages, fuzz examples), printed at the
end of the run, so that each run says how much it proved."""

_figures = {}


def record(sweep, figure):
    _figures[sweep] = figure


def report():
    return [f"{sweep}: {figure}" for sweep, figure in sorted(_figures.items())]


def recorded():
    return dict(_figures)


def merge(figures):
    """Figures recorded in another process (a pytest-xdist worker)."""
    _figures.update(figures)
