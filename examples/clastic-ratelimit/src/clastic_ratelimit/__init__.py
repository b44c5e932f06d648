"""clastic-ratelimit: token-bucket rate limiting for Clastic applications.

>>> from clastic import Application, render_basic  # doctest: +SKIP
>>> from clastic_ratelimit import RateLimitMiddleware, SQLiteStore  # doctest: +SKIP
>>> limiter = RateLimitMiddleware(60, per=60, burst=10, store=SQLiteStore("ratelimit.db"))  # doctest: +SKIP
>>> app = Application([("/", lambda: "hi", render_basic)], middlewares=[limiter])  # doctest: +SKIP
"""

from clastic_ratelimit.bucket import Bucket as Bucket
from clastic_ratelimit.bucket import RateLimitDecision as RateLimitDecision
from clastic_ratelimit.command import RateLimitCommand as RateLimitCommand
from clastic_ratelimit.middleware import RateLimitMiddleware as RateLimitMiddleware
from clastic_ratelimit.middleware import client_address as client_address
from clastic_ratelimit.peripheral import RateLimitPeripheral as RateLimitPeripheral
from clastic_ratelimit.peripheral import find_limiters as find_limiters
from clastic_ratelimit.stores import BucketStore as BucketStore
from clastic_ratelimit.stores import MemoryStore as MemoryStore
from clastic_ratelimit.stores import SQLiteStore as SQLiteStore

__version__ = "26.1.0"
