"""Error classes: a UserError is expected and shown as one line; anything else is a bug."""


class UserError(Exception):
    """Bad input or a problem in the environment that the user can act on.

    The message is shown as it is, so it names the file, line or field involved.
    """


class ContentError(UserError):
    """A problem in a deck file, reported as ``path:line: error: message``."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: error: {message}")
        self.path = path
        self.line = line
        self.message = message


class LibraryLockedError(UserError):
    """Another mlstudy process already has this data directory open."""
