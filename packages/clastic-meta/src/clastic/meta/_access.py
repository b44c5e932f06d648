"""The middleware that answers 403 to requests the meta pages' access rule refuses.

The rule itself, and its one meaning of ``allow=`` (loopback clients by
default; an explicit rule replaces that default), is clastic-core's
:class:`clastic.access.AccessRule`, shared with clastic-errors' debug pages.
"""

from __future__ import annotations

from collections.abc import Callable

from clastic.access import AccessRule
from clastic.errors import Forbidden
from clastic.middleware import Middleware
from clastic.wrappers import Request, Response

__all__ = ["MetaAccessMiddleware"]


class MetaAccessMiddleware(Middleware):
    """Answer 403 to requests the :class:`~clastic.access.AccessRule` refuses, saying why.

    Args:
        rule: Who may see the pages.
    """

    def __init__(self, rule: AccessRule) -> None:
        self.rule = rule

    def request(self, next: Callable[..., Response], request: Request) -> Response:
        """Refuse the request with 403 unless the rule allows it."""
        reason = self.rule.refusal(request)
        if reason is not None:
            raise Forbidden(reason)
        return next()

    def __repr__(self) -> str:
        return f"MetaAccessMiddleware({self.rule.describe()!r})"
