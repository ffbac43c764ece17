"""A private role and schema on the shared PostgreSQL, so a run touches nobody's tables.

`python pg_admin.py create|drop NAME`: the role NAME owns schema NAME, which comes first
in its default search_path ("$user", public), so everything it creates lands there.
`python pg_admin.py version` prints the server version. Runs in a project's virtualenv
(asyncpg); the admin DSN comes from BENCH_PG_ADMIN_DSN.
"""

import asyncio
import os
import re
import sys

import asyncpg

DSN = os.environ.get("BENCH_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/test")


async def main(action: str, name: str = "") -> None:
    if action != "version" and not re.fullmatch(r"bench_[a-z0-9_]{1,40}", name):
        raise SystemExit(f"refusing name {name!r}: only bench_* names are created or dropped")
    connection = await asyncpg.connect(DSN, timeout=5)
    try:
        if action == "create":
            await connection.execute(f"CREATE ROLE {name} LOGIN")
            await connection.execute(f"CREATE SCHEMA {name} AUTHORIZATION {name}")
        elif action == "drop":
            await connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            await connection.execute(f"DROP ROLE IF EXISTS {name}")
        elif action == "version":
            print(await connection.fetchval("SHOW server_version"))
        else:
            raise SystemExit(f"unknown action {action!r}")
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
