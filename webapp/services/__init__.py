"""Use cases: each takes a session, plain arguments and `now`; adds and flushes, never commits."""


class ServiceError(Exception):
    """A rule refused the request; `template` and `params` make the person's message."""

    template = "The request was refused."
    status = 400

    def __init__(self, template: str | None = None, **params: object) -> None:
        self.template = template or self.template
        self.params = params
        super().__init__(self.template % params if params else self.template)
