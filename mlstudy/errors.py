"""Error classes: a UserError is expected and shown as one line; anything else is a bug."""


class UserError(Exception):
    """Bad input or a problem in the environment that the user can act on.

    The message is shown as it is, so it names the file, line or field involved.
    """


class LibraryLockedError(UserError):
    """Another mlstudy process already has this data directory open."""


class UnknownExamError(UserError):
    """An exam code that names no exam pack (``--exam``): a usage error, exit code 2."""
