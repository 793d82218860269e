"""API of plans."""


def register(router):
    pass
