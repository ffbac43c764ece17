"""Summarize py-spy's collapsed stacks (`--profile`): `python -m bench.profiles FILE...`.

Prints, per file, the functions with the most samples on top of the stack (self) and
in the stack at all (inclusive), so a missed target can name what the time goes to.
"""

import collections
import re
import sys
from pathlib import Path

LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")


def summarize(path: Path, top: int = 15) -> str:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        match = LINE.match(line)
        if match is None:
            continue
        count = int(match["count"])
        frames = [_short(f) for f in match["stack"].split(";") if f]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return f"{path.name}: no samples"
    lines = [f"{path.name}: {total} samples", "  self:"]
    lines += [f"    {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    lines.append("  inclusive:")
    lines += [f"    {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    """`func (path/to/site-packages/pkg/mod.py:12)` -> `func (pkg/mod.py:12)`."""
    return re.sub(r"\(.*?(?:site-packages|lib/python[\d.]+|src)/", "(", frame.strip())


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(summarize(Path(name)))
