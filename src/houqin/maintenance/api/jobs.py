"""API of jobs."""


def register(router):
    pass
