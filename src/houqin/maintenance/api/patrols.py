"""API of patrols."""


def register(router):
    pass
