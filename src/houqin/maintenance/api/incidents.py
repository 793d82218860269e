"""API of incidents."""


def register(router):
    pass
