"""Pure-ASGI middleware, one file each: the class, its settings mixin and its module.

`modules.py` registers the chosen ones, outermost first; the core adds `BodyLimitMiddleware`
and `UnhandledErrorMiddleware` inside all of them, next to the app.
"""
